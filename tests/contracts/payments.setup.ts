// A sandbox with a real proxy, client and worker contract of one generation, deployed from public inputs.
import { Blockchain, BlockchainSnapshot, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { Address, Cell, toNano } from '@ton/core';
import { CocoonProxy } from '../../build/CocoonProxy/tact_CocoonProxy';
import { CocoonClient } from '../../build/CocoonClient/tact_CocoonClient';
import { CocoonWorker } from '../../build/CocoonWorker/tact_CocoonWorker';
import { CocoonParams, paramsCell } from '../../wrappers/params';
import { clientConstCell, proxyRootCell, workerConstCell } from '../../wrappers/addresses';
import { signEnvelope, SignedPayload } from '../../wrappers/signing';
import { keyInt, proxyKeys, testParams } from './payments.fixtures';

export interface PaymentsSandbox {
    blockchain: Blockchain;
    params: CocoonParams;
    root: SandboxContract<TreasuryContract>;
    proxyOwner: SandboxContract<TreasuryContract>;
    clientOwner: SandboxContract<TreasuryContract>;
    workerOwner: SandboxContract<TreasuryContract>;
    /** Submits signed messages and pays for public ops; receives excesses. */
    submitter: SandboxContract<TreasuryContract>;
    stranger: SandboxContract<TreasuryContract>;
    proxy: SandboxContract<CocoonProxy>;
    client: SandboxContract<CocoonClient>;
    worker: SandboxContract<CocoonWorker>;
    /** Deploys another client or worker of this proxy for `owner`. */
    clientOf(owner: Address): Promise<SandboxContract<CocoonClient>>;
    workerOf(owner: Address): Promise<SandboxContract<CocoonWorker>>;
    /** A proxy-key signed envelope for `payload`, excess to the submitter. */
    signed(payload: SignedPayload, secretKey?: Buffer): Cell;
}

export async function proxyContract(params: CocoonParams, owner: Address, root: Address, key = keyInt(proxyKeys)) {
    return CocoonProxy.fromInit(owner, key, proxyRootCell(root), 0n, 0n, 0n, 0n, paramsCell(params, 'proxy'));
}

export async function clientContract(params: CocoonParams, owner: Address, proxy: Address, key = keyInt(proxyKeys)) {
    const constData = clientConstCell({ owner, proxyAddress: proxy, proxyPublicKey: key });
    return CocoonClient.fromInit(constData, 0n, 0n, params.minClientStake, 0n, 0n, 0n, paramsCell(params, 'withoutCode'));
}

export async function workerContract(params: CocoonParams, owner: Address, proxy: Address, key = keyInt(proxyKeys)) {
    const constData = workerConstCell({ owner, proxyAddress: proxy, proxyPublicKey: key });
    return CocoonWorker.fromInit(constData, 0n, 0n, paramsCell(params, 'withoutCode'));
}

const cache = new Map<string, { sandbox: PaymentsSandbox; snapshot: BlockchainSnapshot }>();

/**
 * Deploys proxy (0.3 TON), client (0.8 TON) and worker (0.3 TON) as the C++ services do (empty body, no bounce).
 * Deploys once per params and restores a snapshot afterwards, which keeps the suites fast.
 */
export async function paymentsSandbox(overrides: Partial<CocoonParams> = {}): Promise<PaymentsSandbox> {
    const key = JSON.stringify(overrides, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    const hit = cache.get(key);
    if (hit) {
        await hit.sandbox.blockchain.loadFrom(hit.snapshot);
        return hit.sandbox;
    }
    const sandbox = await deploy(overrides);
    cache.set(key, { sandbox, snapshot: sandbox.blockchain.snapshot() });
    return sandbox;
}

/** A fresh sandbox whose clock is set a little after the real time, so tests can move it forward. */
export async function paymentsSandboxNow(overrides: Partial<CocoonParams> = {}): Promise<PaymentsSandbox> {
    const s = await paymentsSandbox(overrides);
    s.blockchain.now = Math.floor(Date.now() / 1000) + 10;
    return s;
}

async function deploy(overrides: Partial<CocoonParams>): Promise<PaymentsSandbox> {
    const blockchain = await Blockchain.create();
    const params = testParams(overrides);
    const [root, proxyOwner, clientOwner, workerOwner, submitter, stranger] = await Promise.all(
        ['root', 'proxyOwner', 'clientOwner', 'workerOwner', 'submitter', 'stranger'].map((n) => blockchain.treasury(n)),
    );
    const proxy = blockchain.openContract(await proxyContract(params, proxyOwner.address, root.address));
    await submitter.send({ to: proxy.address, value: toNano('0.3'), init: proxy.init, bounce: false });
    const clientOf = async (owner: Address) => {
        const c = blockchain.openContract(await clientContract(params, owner, proxy.address));
        await submitter.send({ to: c.address, value: toNano('0.8'), init: c.init, bounce: false });
        return c;
    };
    const workerOf = async (owner: Address) => {
        const w = blockchain.openContract(await workerContract(params, owner, proxy.address));
        await submitter.send({ to: w.address, value: toNano('0.3'), init: w.init, bounce: false });
        return w;
    };
    return {
        blockchain,
        params,
        root,
        proxyOwner,
        clientOwner,
        workerOwner,
        submitter,
        stranger,
        proxy,
        client: await clientOf(clientOwner.address),
        worker: await workerOf(workerOwner.address),
        clientOf,
        workerOf,
        signed: (payload, secretKey = proxyKeys.secretKey) => signEnvelope(payload, secretKey, submitter.address),
    };
}
