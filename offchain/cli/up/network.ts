import { Address, toNano } from '@ton/core';
import { existsSync, mkdirSync, renameSync } from 'fs';
import path from 'path';
import { WalletContractV4 } from '@ton/ton';
import { ChainClient } from '../../chain/client';
import { keyPairFromSeed } from '@ton/crypto';
import { createHash } from 'crypto';
import { devnetSeed } from '../../chain/cocoon/keys';
import { RegistryReader } from '../../chain/cocoon/registry';
import { walletFromInit } from '../../../wrappers/wallet';
import { clientAddress, proxyAddress, workerAddress } from '../../../wrappers/addresses';
import type { CocoonParams } from '../../../wrappers/params';
import { deployLocalRoot, fillRegistry } from '../../localnet';
import { FAKE_IMAGE_HASH } from '../../ratls';
import { ensureFunded } from './funding';
import { savedPorts, savePorts } from './ports';

type ProxyRunner = import('../../proxy').ProxyRunner;
type WorkerService = import('../../worker').WorkerService;
type ClientService = import('../../client').ClientService;
type Devnet = import('../../devnet').Devnet;
type TestEngine = import('../../engine').TestEngine;

/** The local network's model: the test engine's, with a made-up commit and weights hash (its SHA-256 goes in the root). */
export const LOCAL_MODEL = 'test-model@local:5d1ad8f2c0ffee00';

/** Local prices: 1000 nanoTON per token for clients, 800 to the worker (the proxy keeps 20 %). */
export const LOCAL_PRICES = { pricePerToken: 1000n, workerFeePerToken: 800n };

export interface NetworkOptions {
    /** A TON HTTP API v2 endpoint to use instead of an in-process devnet (e.g. testnet; wallets are then funded by hand). */
    endpoint?: string;
    /** Secret every wallet key derives from; required with `endpoint` (the devnet's keys are public). */
    seed?: string;
    /** Keep the chain and the services' databases here across restarts. */
    stateDir?: string;
    /** The client's OpenAI API port (0: any free one). */
    clientPort: number;
    /** A real OpenAI-compatible engine (vLLM) instead of the test engine, and its full model name. */
    engineUrl?: string;
    model?: string;
    /** Progress lines for a person. */
    progress: (line: string) => void;
    /** The services' JSON log lines. */
    logSink: (line: string) => void;
    /** Seconds between save-state records (shorter in tests). */
    saveStateSeconds?: number;
    /** Root params beyond the local prices (e.g. token-class multipliers). */
    params?: Partial<CocoonParams>;
    /** The worker's price coefficient (1000 = ×1). */
    workerCoefficient?: number;
    /** Requests the worker runs at once (its config's default otherwise). */
    workerMaxActiveRequests?: number;
    /** The proxy's settlement thresholds in TON (default: COCOON's 1 and 10). */
    thresholds?: { chargeTon?: number; payoutTon?: number };
    /** The worker collects its pay itself once it is worth this much (TON; default 10). */
    workerPayoutThresholdTon?: number;
    /** How often the proxy re-reads the root, e.g. to notice a params change (seconds; default 30). */
    rootRefreshSeconds?: number;
    /** Bearer token of the proxy's admin actions (POST /admin/settle, /admin/reputation, /admin/close); none by default. */
    proxyAdminToken?: string;
    /** The client recovers its deposit by itself after this long without its proxy (seconds; default 86400). */
    clientLostAfterSeconds?: number;
}

export class NetworkSetupError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'NetworkSetupError';
    }
}

export interface LocalNetwork {
    chainUrl: string;
    openaiBaseUrl: string;
    root: Address;
    proxyContract: Address;
    clientContract: Address;
    workerContract: Address;
    model: string;
    chain: ChainClient;
    devnet?: Devnet;
    engine?: TestEngine;
    proxy: ProxyRunner;
    worker: WorkerService;
    client: ClientService;
    stop(): Promise<void>;
}

/**
 * A role's wallet: its key, and as its human owner a V4 wallet of a second key. Without a seed the keys are the
 * devnet's deterministic ones (anyone can recompute them); with one they derive from it, for a public chain.
 */
async function roleWallet(role: string, seed?: string) {
    const seedOf = (name: string) => (seed ? createHash('sha256').update(`cocoon-up:${seed}:${name}`).digest() : devnetSeed(name));
    const key = keyPairFromSeed(seedOf(`up-${role}`));
    const owner = WalletContractV4.create({ workchain: 0, publicKey: keyPairFromSeed(seedOf(`up-${role}-owner`)).publicKey }).address;
    const wallet = (await walletFromInit(key.publicKey, owner)).address;
    return { seed: seedOf(`up-${role}`).toString('hex'), key, owner, wallet };
}

/** The devnet's store in a state folder; a `chain.json` from before the store is renamed to it (the devnet migrates it). */
function chainStore(dir: string): string {
    const store = path.join(dir, 'chain.db');
    const legacy = path.join(dir, 'chain.json');
    if (!existsSync(store) && existsSync(legacy)) renameSync(legacy, store);
    return store;
}

/**
 * The whole network in one process: a devnet (or an external chain), the root filled for the local images and
 * model, the test engine (or a real one), a staked proxy, a worker and a funded client with its OpenAI API.
 * Each step is reported through `progress`; `stop()` ends everything in reverse order.
 */
export async function startNetwork(o: NetworkOptions): Promise<LocalNetwork> {
    const stoppers: (() => Promise<unknown>)[] = [];
    const stop = async () => {
        for (const s of stoppers.splice(0).reverse()) await s().catch(() => undefined);
    };
    try {
        if (o.stateDir) mkdirSync(o.stateDir, { recursive: true });
        const file = (name: string) => (o.stateDir ? path.join(o.stateDir, name) : ':memory:');
        const saved = savedPorts(o.stateDir);

        if (o.endpoint && !o.seed) {
            throw new NetworkSetupError('a network on --endpoint needs COCOON_UP_SEED, a secret every wallet key derives from (the devnet keys are public)');
        }
        let chainUrl = o.endpoint;
        let faucetUrl: string | undefined;
        let devnet: Devnet | undefined;
        if (!chainUrl) {
            const { Devnet } = await import('../../devnet');
            devnet = await Devnet.start({ port: saved?.devnet ?? 0, statePath: o.stateDir ? chainStore(o.stateDir) : undefined });
            stoppers.push(() => devnet!.stop());
            chainUrl = devnet.endpoint;
            faucetUrl = devnet.faucetUrl;
            o.progress(`devnet: serving the TON API at ${chainUrl}${o.stateDir ? ` (state in ${o.stateDir})` : ''}`);
        }
        const chain = new ChainClient(chainUrl);

        let engineUrl = o.engineUrl;
        let engine: TestEngine | undefined;
        const model = o.model ?? LOCAL_MODEL;
        if (!engineUrl) {
            const { TestEngine } = await import('../../engine');
            engine = await TestEngine.start({ model: model.slice(0, model.indexOf('@')) });
            stoppers.push(() => engine!.stop());
            engineUrl = engine.url;
            o.progress(`engine: the test engine (a stand-in for vLLM) serves ${model} at ${engineUrl}`);
        }

        o.progress('root: deploying and registering the fake-TDX images and the model…');
        const fund = (a: Address, amount: bigint, what: string) => ensureFunded(chain, faucetUrl, a, amount, what, o.progress);
        const rootSetup = {
            ownerKey: o.seed ? (await roleWallet('root', o.seed)).key : undefined,
            params: { ...LOCAL_PRICES, ...o.params },
            proxyHashes: [BigInt('0x' + FAKE_IMAGE_HASH)],
            workerHashes: [BigInt('0x' + FAKE_IMAGE_HASH)],
            models: [model],
            log: (line: string) => o.progress(`root: ${line.replace(/^root: /, '')}`),
        };
        const root = await deployLocalRoot(chain, fund, rootSetup);
        stoppers.push(async () => root.sender.stop());
        const params = (await new RegistryReader(chain, root.address).get()).params;

        const proxyW = await roleWallet('proxy', o.seed);
        const workerW = await roleWallet('worker', o.seed);
        const clientW = await roleWallet('client', o.seed);
        const proxyContract = proxyAddress({ owner: proxyW.owner, proxyPublicKey: proxyW.key.publicKey, root: root.address, params });
        const member = { proxyAddress: proxyContract, proxyPublicKey: proxyW.key.publicKey, params };
        const workerContract = workerAddress({ owner: workerW.wallet, ...member });
        const clientContract = clientAddress({ owner: clientW.wallet, ...member });

        await fund(proxyW.wallet, toNano('30'), 'proxy wallet');
        await fund(workerW.wallet, toNano('10'), 'worker wallet');
        await fund(clientW.wallet, toNano('30'), 'client wallet');
        const endpoints = [{ url: chainUrl }];

        o.progress('proxy: deploying its contract with its stake and recording its first save-state on-chain…');
        const { ProxyRunner } = await import('../../proxy');
        const proxy = await ProxyRunner.start(
            {
                root: root.address.toString(),
                chain: { endpoints },
                wallet: { seed: proxyW.seed, owner: proxyW.owner.toString() },
                listen: { workers: { port: saved?.proxyWorkers ?? 0 }, clients: { port: saved?.proxyClients ?? 0 } },
                ops: { port: 0 },
                database: file('proxy.db'),
                tdx: { provider: 'fake', peerProvider: 'fake' },
                saveStateSeconds: o.saveStateSeconds ?? 10,
                ...(o.thresholds ? { thresholds: o.thresholds } : {}),
                ...(o.rootRefreshSeconds !== undefined ? { rootRefreshSeconds: o.rootRefreshSeconds } : {}),
                ...(o.proxyAdminToken ? { adminToken: o.proxyAdminToken } : {}),
            },
            { logSink: o.logSink },
        );
        stoppers.push(() => proxy.stop());
        // registered once its ports are known (picked free ones the first time; a state folder keeps them)
        const descriptor = `127.0.0.1:${proxy.ports.workers} 127.0.0.1:${proxy.ports.clients}`;
        await fillRegistry(chain, root, { proxies: [descriptor], log: rootSetup.log });
        root.sender.stop();
        if (devnet) savePorts(o.stateDir, { devnet: devnet.port, proxyWorkers: proxy.ports.workers, proxyClients: proxy.ports.clients });
        o.progress(`proxy: contract ${proxyContract.toString()}, workers on 127.0.0.1:${proxy.ports.workers}, clients on 127.0.0.1:${proxy.ports.clients}`);

        o.progress('worker: deploying its contract and joining the proxy…');
        const { WorkerService } = await import('../../worker');
        const worker = await WorkerService.start(
            {
                root: root.address.toString(),
                chain: { endpoints },
                wallet: { seed: workerW.seed, owner: workerW.owner.toString() },
                model,
                engineUrl,
                coefficient: o.workerCoefficient ?? 1000,
                ...(o.workerMaxActiveRequests !== undefined ? { maxActiveRequests: o.workerMaxActiveRequests } : {}),
                ...(o.workerPayoutThresholdTon !== undefined ? { payoutThresholdTon: o.workerPayoutThresholdTon } : {}),
                tdx: { provider: 'fake', peerProvider: 'fake' },
                ops: { port: 0 },
                database: file('worker.db'),
            },
            { logSink: o.logSink },
        );
        stoppers.push(() => worker.stop());
        await worker.whenReady();
        o.progress(`worker: contract ${workerContract.toString()}, enabled on the proxy`);

        o.progress('client: verifying the proxy, deploying its contract with a deposit and registering on-chain…');
        const { ClientService } = await import('../../client');
        const client = await ClientService.start(
            {
                root: root.address.toString(),
                chain: { endpoints },
                wallet: { seed: clientW.seed, owner: clientW.owner.toString() },
                secret: 'local-network-client-secret',
                tdx: { peerProvider: 'fake' },
                database: file('client.db'),
                http: { port: o.clientPort },
                ...(o.clientLostAfterSeconds !== undefined ? { recovery: { lostAfterSeconds: o.clientLostAfterSeconds } } : {}),
            },
            { logSink: o.logSink },
        );
        stoppers.push(() => client.stop());
        o.progress(`client: contract ${clientContract.toString()}, OpenAI API on ${client.url}`);

        return {
            chainUrl,
            openaiBaseUrl: `${client.url}/v1`,
            root: root.address,
            proxyContract,
            clientContract,
            workerContract,
            model,
            chain,
            devnet,
            engine,
            proxy,
            worker,
            client,
            stop,
        };
    } catch (e) {
        await stop();
        throw e;
    }
}
