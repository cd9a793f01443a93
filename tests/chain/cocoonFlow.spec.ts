import { Address, Cell, contractAddress, toNano } from '@ton/core';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { ChainClient } from '../../offchain/chain/client';
import { decodeProxyInbound, ProxyInbound, readClientContract, readProxyContract, readWorkerContract, RegistryReader, RootChange } from '../../offchain/chain/cocoon';
import { describeOutcome } from '../../offchain/chain/txOutcome';
import { TransactionWatcher } from '../../offchain/chain/watcher';
import { Devnet } from '../../offchain/devnet';
import { clientStateInit, proxyStateInit, workerStateInit } from '../../wrappers/addresses';
import { clientMessages } from '../../wrappers/client';
import { paramsCell } from '../../wrappers/params';
import { addHashBody, CocoonRoot, modelHash, registerProxyBody, rootFromInit } from '../../wrappers/root';
import { signEnvelope } from '../../wrappers/signing';
import { startTestDevnet } from '../devnet/helpers';
import { testKey } from '../devnet/wallets';
import { devnetParams, expectDelivered, fundedSender } from './cocoonFixture';

/** Addresses as raw strings and cells as hashes, so snapshots from two connections compare with toEqual. */
function plain(v: unknown): any {
    if (Address.isAddress(v)) return v.toRawString();
    if (v instanceof Cell) return v.hash().toString('hex');
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
}

/**
 * The COCOON contracts on the devnet, driven only through the chain library: deploy the root and fill the registry,
 * deploy a proxy, a client and a worker, deposit, submit a signed charge, watch it happen, read every getter, and
 * find it all again after the devnet restarts from its saved state.
 */
describe('COCOON contracts on the devnet through the chain library', () => {
    let dir: string;
    let devnet: Devnet;
    let chain: ChainClient;
    let logs: string[];

    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cocoon-flow-'));
        ({ devnet, chain, logs } = await startTestDevnet({ statePath: path.join(dir, 'chain.db') }));
    });
    afterAll(async () => {
        await devnet.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it('runs the registry, deposit and charge flow and survives a restart', async () => {
        const params = devnetParams();
        const owner = await fundedSender(chain, devnet.endpoint, 'flow-root-owner');
        const clientOwner = await fundedSender(chain, devnet.endpoint, 'flow-client-owner');
        const workerOwner = await fundedSender(chain, devnet.endpoint, 'flow-worker-owner');
        const proxyKey = testKey('flow-proxy-key');

        // root: deploy, then register hashes and a proxy
        const root = await rootFromInit(owner.address, params);
        expectDelivered(await owner.sender.send({ to: root.address, value: toNano('1'), init: root.init!, bounce: false }));
        const registry = new RegistryReader(chain, root.address, { maxAgeMs: 0 });
        const first = await registry.get();
        expect(first.version).toBe(0);
        expect(first.owner.equals(owner.address)).toBe(true);
        expect(first.proxyHashes.size).toBe(0);
        const changes: RootChange[] = [];
        registry.onChange((c) => changes.push(c));

        const proxyHash = BigInt('0x' + 'ab'.repeat(32));
        const workerHash = BigInt('0x' + 'cd'.repeat(32));
        const model = modelHash('test-model');
        const outcomes = await owner.sender.sendMany([
            { to: root.address, value: toNano('0.1'), body: addHashBody('proxy', proxyHash) },
            { to: root.address, value: toNano('0.1'), body: addHashBody('worker', workerHash) },
            { to: root.address, value: toNano('0.1'), body: addHashBody('model', model) },
            { to: root.address, value: toNano('0.1'), body: registerProxyBody('127.0.0.1:9000') },
        ]);
        outcomes.forEach(expectDelivered);
        const filled = await registry.get();
        expect([...filled.proxyHashes]).toEqual([proxyHash]);
        expect([...filled.workerHashes]).toEqual([workerHash]);
        expect([...filled.modelHashes]).toEqual([model]);
        expect(filled.proxies).toEqual([{ seqno: 1, type: 0, descriptor: '127.0.0.1:9000' }]);
        expect(filled.version).toBe(4);
        expect(changes).toHaveLength(1);
        expect(changes[0]).toMatchObject({ versionChanged: true, paramsVersionChanged: false });
        expect(filled.codes.client!.equals(params.clientScCode!)).toBe(true);

        // a stranger's registry op fails with COCOON's 1010, and the devnet log says so
        const refused = await clientOwner.sender.send({ to: root.address, value: toNano('0.1'), body: addHashBody('proxy', 5n) });
        expect(refused.status).toBe('failed');
        expect(refused.destination!.outcome.exitCode).toBe(1010);
        expect(logs).toContain(`tx ${root.address.toString()} lt=${refused.destination!.lt} op=0x${addHashBody('proxy', 5n).beginParse().preloadUint(32).toString(16).padStart(8, '0')} exit=1010`);

        // proxy, client and worker contracts, at their derived addresses
        const proxyInit = proxyStateInit({ owner: owner.address, proxyPublicKey: proxyKey.publicKey, root: root.address, params: filled.params });
        const proxy = contractAddress(0, proxyInit);
        expectDelivered(await owner.sender.send({ to: proxy, value: toNano('0.3'), init: proxyInit, bounce: false }));
        const member = { proxyAddress: proxy, proxyPublicKey: proxyKey.publicKey, params: filled.params };
        const clientInit = clientStateInit({ owner: clientOwner.address, ...member });
        const workerInit = workerStateInit({ owner: workerOwner.address, ...member });
        const client = contractAddress(0, clientInit);
        const worker = contractAddress(0, workerInit);
        expectDelivered(await clientOwner.sender.send({ to: client, value: toNano('0.8'), init: clientInit, bounce: false }));
        expectDelivered(await workerOwner.sender.send({ to: worker, value: toNano('0.3'), init: workerInit, bounce: false }));

        // deposit and a signed charge, watched on the proxy contract
        const watcher = new TransactionWatcher(chain, proxy, { decode: decodeProxyInbound });
        await watcher.poll();
        expectDelivered(await clientOwner.sender.send({ to: client, value: toNano('5.2'), body: clientMessages.topUp(7n, toNano('5'), clientOwner.address) }));
        const charge = signEnvelope({ kind: 'charge', queryId: 8n, newTokens: 1000n, expectedMyAddress: client }, proxyKey.secretKey, owner.address);
        expectDelivered(await owner.sender.send({ to: client, value: toNano('0.2'), body: charge }));

        const seen = await watcher.poll();
        const requests = seen.filter((t) => t.decoded?.kind === 'clientRequest');
        // the top-up carries coins and executes; the charge notice carries no value, so the proxy only records it
        expect(requests.map((t) => describeOutcome(t.outcome))).toEqual(['ok', 'skipped(no-gas)']);
        const [topUp, chargeNotice] = requests.map((t) => (t.decoded as Extract<ProxyInbound, { kind: 'clientRequest' }>).request);
        expect(plain(topUp.payload)).toEqual({ kind: 'topUp', coins: toNano('5'), sendExcessesTo: clientOwner.address.toRawString() });
        expect(topUp.snapshot).toMatchObject({ balance: toNano('5'), tokensUsed: 0n });
        expect(chargeNotice.payload).toBeNull();
        expect(chargeNotice.snapshot).toMatchObject({ balance: toNano('4'), tokensUsed: 1000n });

        // every getter, through the wrappers over the chain library's provider
        const readAll = async (c: ChainClient) => {
            const r = c.open(CocoonRoot.fromAddress(root.address));
            return plain({
                cocoonData: await r.getGetCocoonData(),
                curParams: await r.getGetCurParams(),
                paramsCell: (await r.getGetParamsCell()).hash().toString('hex'),
                registry: (await r.getGetRegistry()).hash().toString('hex'),
                proxyValid: await r.getProxyHashIsValid(proxyHash),
                workerValid: await r.getWorkerHashIsValid(workerHash),
                modelValid: await r.getModelHashIsValid(model),
                unknownValid: await r.getProxyHashIsValid(1n),
                lastProxySeqno: await r.getLastProxySeqno(),
                proxy: await readProxyContract(c, proxy),
                client: await readClientContract(c, client),
                worker: await readWorkerContract(c, worker),
                balances: [await c.getBalance(root.address), await c.getBalance(proxy), await c.getBalance(client), await c.getBalance(worker)],
            });
        };
        const before = await readAll(chain);
        expect(before.proxyValid && before.workerValid && before.modelValid).toBe(true);
        expect(before.unknownValid).toBe(false);
        expect(before.lastProxySeqno).toBe(1n);
        expect(before.paramsCell).toBe(paramsCell(filled.params, 'root').hash().toString('hex'));
        expect(before.proxy).toMatchObject({
            state: 0,
            root: root.address.toRawString(),
            owner: owner.address.toRawString(),
            proxyPublicKey: BigInt('0x' + proxyKey.publicKey.toString('hex')),
        });
        expect(before.client).toMatchObject({ state: 0, balance: toNano('4'), tokensUsed: 1000n, stake: toNano('1'), owner: clientOwner.address.toRawString() });
        expect(before.worker).toMatchObject({ state: 0, tokens: 0n });

        // restart from the saved state: everything is still there
        const statePath = path.join(dir, 'chain.db');
        await devnet.stop();
        ({ devnet } = await startTestDevnet({ statePath }));
        const chain2 = new ChainClient(devnet.endpoint);
        expect(await readAll(chain2)).toEqual(before);
        const history = await chain2.getTransactions(proxy, { limit: 100 });
        expect(history.map((t) => t.lt).reverse()).toEqual(expect.arrayContaining(requests.map((r) => r.lt)));
        expect((await new RegistryReader(chain2, root.address).get()).proxies).toEqual(filled.proxies);
    });
});
