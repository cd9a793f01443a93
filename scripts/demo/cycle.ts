// The `npm start` demo: deploys the COCOON contracts into an in-process sandbox and runs one payment cycle
// (deposit → proxy-signed charge → proxy-signed worker payout → proxy withdraws its earnings), recording every
// balance, fee and transfer. Everything is built with the wrappers, exactly as the services will.
import { Cell, toNano, Transaction } from '@ton/core';
import { keyPairFromSeed, sha256_sync } from '@ton/crypto';
import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { CocoonContractName, compiledCode as loadCompiledCode, DEFAULT_BUILD_DIR, MissingBuildError } from '../../wrappers/compiled';
import { CocoonParams, MULTIPLIER_ONE, PARAMS_STRUCT_VERSION } from '../../wrappers/params';
import { addHashBody, modelHash, readRootState, registerProxyBody, rootFromInit } from '../../wrappers/root';
import { CocoonProxy, proxyMessages, readProxyState, ProxyContractState } from '../../wrappers/proxy';
import { clientMessages, CocoonClient, ClientContractState, readClientState } from '../../wrappers/client';
import { CocoonWorker, readWorkerState, workerMessages, WorkerContractState } from '../../wrappers/worker';
import { clientAddress, clientStateInit, proxyAddress, proxyStateInit, workerAddress, workerStateInit } from '../../wrappers/addresses';
import { signEnvelope } from '../../wrappers/signing';
import { Account, balancesOf, DemoError, expectAllSucceeded, feesByAccount, feesOf, Transfer, transfersOf } from './ledger';

/** The demo's network: 1 µTON a token for clients, 0.8 µTON of it to the worker; stakes 1 TON. */
export const DEMO = {
    pricePerToken: 1000n,
    workerFeePerToken: 800n,
    proxyStake: toNano('2'),
    deposit: toNano('10'),
    tokens: 1_500_000n,
    descriptor: '127.0.0.1:8801 127.0.0.1:8802',
    model: 'Qwen/Qwen3-32B',
    /** A fixed clock: no storage fees accrue between steps, so every contract figure is exact. */
    now: 1_800_000_000,
};

export interface StepRecord {
    title: string;
    /** What happened, in one or two sentences. */
    story: string;
    balances: Map<string, bigint>;
    fees: bigint;
    feesBy: Map<string, bigint>;
    transfers: Transfer[];
    proxy?: ProxyContractState;
    client?: ClientContractState;
    worker?: WorkerContractState;
}

export interface DemoResult {
    accounts: Account[];
    initial: Map<string, bigint>;
    steps: StepRecord[];
    registry: { proxyHashes: number; workerHashes: number; modelHashes: number; proxies: string[] };
}

/** A contract's code from Blueprint's build output (`buildDir`: the repository's build/ by default). */
export function compiledCode(name: CocoonContractName, buildDir = DEFAULT_BUILD_DIR): Cell {
    try {
        return loadCompiledCode(name, buildDir);
    } catch (e) {
        if (e instanceof MissingBuildError) throw new DemoError(e.message);
        throw e;
    }
}

export function demoParams(): CocoonParams {
    return {
        structVersion: PARAMS_STRUCT_VERSION,
        paramsVersion: 1,
        uniqueId: 1,
        isTest: true,
        pricePerToken: DEMO.pricePerToken,
        workerFeePerToken: DEMO.workerFeePerToken,
        promptTokensPriceMultiplier: MULTIPLIER_ONE,
        cachedTokensPriceMultiplier: MULTIPLIER_ONE,
        completionTokensPriceMultiplier: MULTIPLIER_ONE,
        reasoningTokensPriceMultiplier: MULTIPLIER_ONE,
        proxyDelayBeforeClose: 3600,
        clientDelayBeforeClose: 1800,
        minProxyStake: toNano('1'),
        minClientStake: toNano('1'),
        proxyScCode: compiledCode('CocoonProxy'),
        workerScCode: compiledCode('CocoonWorker'),
        clientScCode: compiledCode('CocoonClient'),
    };
}

const hashOf = (text: string) => BigInt('0x' + sha256_sync(Buffer.from(text)).toString('hex'));

/** Runs the demo; `onStep` sees each step as soon as it is done, with the balances before it (the CLI prints it). */
export async function runDemo(
    onStep: (step: StepRecord, accounts: Account[], previous: Map<string, bigint>) => void = () => {},
): Promise<DemoResult> {
    const params = demoParams();
    const blockchain = await Blockchain.create();
    blockchain.now = DEMO.now;
    const wallet = (name: string) => blockchain.treasury(name, { balance: toNano('1000') });
    const registryOwner = await wallet('registry owner');
    const operator = await wallet('proxy operator');
    const service = await wallet('proxy service wallet');
    const clientOwner = await wallet('client owner');
    const workerOwner = await wallet('worker owner');
    const proxyKey = keyPairFromSeed(sha256_sync('cocoon demo proxy key'));

    const root = blockchain.openContract(await rootFromInit(registryOwner.address, params));
    const proxyInputs = { owner: operator.address, proxyPublicKey: proxyKey.publicKey, root: root.address, params };
    const proxy = blockchain.openContract(CocoonProxy.fromAddress(proxyAddress(proxyInputs)));
    const member = (owner: SandboxContract<TreasuryContract>) => ({
        owner: owner.address,
        proxyAddress: proxy.address,
        proxyPublicKey: proxyKey.publicKey,
        params,
    });
    const client = blockchain.openContract(CocoonClient.fromAddress(clientAddress(member(clientOwner))));
    const worker = blockchain.openContract(CocoonWorker.fromAddress(workerAddress(member(workerOwner))));

    const accounts: Account[] = [
        { name: 'registry owner', address: registryOwner.address },
        { name: 'proxy operator', address: operator.address },
        { name: 'proxy service wallet', address: service.address },
        { name: 'client owner', address: clientOwner.address },
        { name: 'worker owner', address: workerOwner.address },
        { name: 'root contract', address: root.address },
        { name: 'proxy contract', address: proxy.address },
        { name: 'client contract', address: client.address },
        { name: 'worker contract', address: worker.address },
    ];
    const initial = await balancesOf(blockchain, accounts);
    const steps: StepRecord[] = [];
    const record = async (title: string, story: string, txs: Transaction[], show: { proxy?: boolean; client?: boolean; worker?: boolean }) => {
        expectAllSucceeded(title, txs, accounts);
        const step: StepRecord = {
            title,
            story,
            balances: await balancesOf(blockchain, accounts),
            fees: feesOf(txs),
            feesBy: feesByAccount(txs, accounts),
            transfers: transfersOf(txs, accounts),
            proxy: show.proxy ? await readProxyState(proxy) : undefined,
            client: show.client ? await readClientState(client) : undefined,
            worker: show.worker ? await readWorkerState(worker) : undefined,
        };
        onStep(step, accounts, steps.length > 0 ? steps[steps.length - 1].balances : initial);
        steps.push(step);
    };

    // 1. The registry: root with params and codes, allowed image and model hashes, one registered proxy.
    const rootTxs: Transaction[] = [];
    const toRoot = async (body: Cell | undefined, init = false) =>
        rootTxs.push(
            ...(await registryOwner.send({ to: root.address, value: toNano(init ? '1' : '0.05'), body, init: init ? root.init : undefined, bounce: !init }))
                .transactions,
        );
    await toRoot(undefined, true);
    await toRoot(addHashBody('proxy', hashOf('demo proxy image')));
    await toRoot(addHashBody('worker', hashOf('demo worker image')));
    await toRoot(addHashBody('model', modelHash(DEMO.model)));
    await toRoot(registerProxyBody(DEMO.descriptor));
    const rootState = await readRootState(blockchain.provider(root.address));
    await record(
        'Deploy the root registry',
        `The registry owner deploys the root with the network params and the three contract codes, allows a proxy image, a worker image and the model "${DEMO.model}", and registers the proxy at "${DEMO.descriptor}".`,
        rootTxs,
        {},
    );

    // 2. The proxy contract, deployed at its derived address by the operator's stake deposit.
    const stake = await operator.send({
        to: proxy.address,
        value: DEMO.proxyStake + toNano('0.2'),
        init: proxyStateInit(proxyInputs),
        body: proxyMessages.increaseStake(1n, DEMO.proxyStake, operator.address),
    });
    await record('Deploy the proxy contract with its stake', 'The proxy operator deploys the proxy contract (address derived from operator, proxy key, root and params) with a 2 TON stake; the excess comes back.', stake.transactions, { proxy: true });

    // 3. Client and worker contracts, deployed and registered by their owners in one message each.
    const clientTxs = await clientOwner.send({ to: client.address, value: toNano('0.5'), init: clientStateInit(member(clientOwner)), body: clientMessages.register(2n, 0x5eedn, clientOwner.address) });
    const workerTxs = await workerOwner.send({ to: worker.address, value: toNano('0.5'), init: workerStateInit(member(workerOwner)), body: workerMessages.register(3n, workerOwner.address) });
    await record(
        'Deploy and register the client and worker contracts',
        'The client owner deploys its client contract with a register message (nonce 0x5eed) and the worker owner its worker contract the same way; each keeps 0.11 TON and notifies the proxy with 1 nanoTON.',
        [...clientTxs.transactions, ...workerTxs.transactions],
        { proxy: true, client: true, worker: true },
    );

    // 4. Deposit.
    const deposit = await clientOwner.send({ to: client.address, value: DEMO.deposit + toNano('0.2'), body: clientMessages.topUp(4n, DEMO.deposit, clientOwner.address) });
    await record('Client deposit', 'The client owner tops up 10 TON: the client contract counts it and forwards the coins to the proxy contract, which holds them.', deposit.transactions, { proxy: true, client: true });

    // 5. Charge, signed by the proxy key, submitted by the proxy's wallet.
    const charge = signEnvelope({ kind: 'charge', queryId: 5n, newTokens: DEMO.tokens, expectedMyAddress: client.address }, proxyKey.secretKey, service.address);
    const charged = await service.send({ to: client.address, value: toNano('0.2'), body: charge });
    await record('Proxy-signed charge', `The proxy signs a charge for ${DEMO.tokens} tokens at ${DEMO.pricePerToken} nanoTON; its wallet submits it and the client contract deducts the cost from the client's balance.`, charged.transactions, { proxy: true, client: true });

    // 6. Worker payout, signed by the proxy key.
    const payout = signEnvelope({ kind: 'payout', queryId: 6n, newTokens: DEMO.tokens, expectedMyAddress: worker.address }, proxyKey.secretKey, service.address);
    const paid = await service.send({ to: worker.address, value: toNano('0.2'), body: payout });
    await record('Proxy-signed worker payout', `The proxy signs a payout for the same ${DEMO.tokens} tokens; the worker contract asks the proxy contract, which pays the worker owner ${DEMO.workerFeePerToken} nanoTON a token and credits the rest to its earnings.`, paid.transactions, { proxy: true, worker: true });

    // 7. The proxy's earnings go to its operator.
    const withdrawn = await service.send({ to: proxy.address, value: toNano('0.2'), body: proxyMessages.payoutRequest(7n, service.address) });
    await record('Proxy withdraws its earnings', 'The proxy service asks the proxy contract to pay out its earnings: they go to the operator, never to the caller.', withdrawn.transactions, { proxy: true });

    return {
        accounts,
        initial,
        steps,
        registry: {
            proxyHashes: rootState.registry.proxyHashes.length,
            workerHashes: rootState.registry.workerHashes.length,
            modelHashes: rootState.registry.modelHashes.length,
            proxies: [...rootState.registry.registeredProxies.values()].map((p) => p.text),
        },
    };
}
