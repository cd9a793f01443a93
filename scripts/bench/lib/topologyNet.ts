// The topology bench's network: an in-process devnet, a root, and the test engine, proxies, workers and clients as
// real services in child processes (topologyHost.ts), each service with its own wallet, contract and database.
import { Address, toNano } from '@ton/core';
import { ChainClient } from '../../../offchain/chain/client';
import { devnetKey, devnetSeed } from '../../../offchain/chain/cocoon/keys';
import { RegistryReader } from '../../../offchain/chain/cocoon/registry';
import { LOCAL_PRICES } from '../../../offchain/cli/up/network';
import { Devnet } from '../../../offchain/devnet';
import { deployLocalRoot, fillRegistry } from '../../../offchain/localnet';
import { FAKE_IMAGE_HASH } from '../../../offchain/ratls';
import { clientAddress, proxyAddress, workerAddress } from '../../../wrappers/addresses';
import { walletFromInit } from '../../../wrappers/wallet';
import { mapLimit } from './parallel';
import { Host } from './topologyHosts';
import type { HostMemory } from './topologyHost';

export const TOPOLOGY_MODEL = 'test-model@topology:70f0c0de';
export const ADMIN_TOKEN = 'topology-bench-admin-token';

export interface TopologyShape {
    proxies: number;
    workers: number;
    clients: number;
    /** Worker services per child process. */
    workersPerHost: number;
    /** Proxy thresholds (TON) and the worker's own payout threshold (TON): low, so money moves during the run. */
    chargeTon: number;
    payoutTon: number;
    workerPayoutTon: number;
    saveStateSeconds: number;
}

export interface ProxyNode {
    contract: Address;
    ops: string;
    /** "HOST:PORT" of its worker and client listeners. */
    workers: string;
    clients: string;
}

export interface SetupFigures {
    /** Seconds for each step: chain and root, funding, proxies, workers, clients. */
    steps: Record<string, number>;
    /** Transactions on the devnet once everything is up. */
    transactions: number;
    memory: Record<string, HostMemory>;
    /** Service starts that failed and were tried again, with the reason. */
    restarts: string[];
}

/** Where every service runs and how to reach it; `stop()` ends the children, the engine and the devnet. */
export interface Topology {
    devnet: Devnet;
    chain: ChainClient;
    /** The test engine's base URL (it runs in a child process of its own). */
    engineUrl: string;
    root: Address;
    proxies: ProxyNode[];
    workerContracts: Address[];
    clientContracts: Address[];
    hosts: { engine: Host; proxies: Host; workers: Host[]; clients: Host };
    setup: SetupFigures;
    stop(): Promise<void>;
}

interface Wallet {
    seed: string;
    address: Address;
    publicKey: Buffer;
}

/** A service wallet with a devnet key (`topo-<name>`) owned by `owner`. */
async function wallet(name: string, owner: Address): Promise<Wallet> {
    const key = devnetKey(`topo-${name}`);
    return { seed: devnetSeed(`topo-${name}`).toString('hex'), address: (await walletFromInit(key.publicKey, owner)).address, publicKey: key.publicKey };
}

const mb = 1024 * 1024;
const ACTIVE_WAIT_MS = 600_000;
/**
 * Services starting at once per child: the devnet executes one deployment at a time (a few per second on this
 * machine), so more would only queue HTTP requests on it.
 */
const WORKER_STARTS_AT_ONCE = 6;
const CLIENT_STARTS_AT_ONCE = 10;

/** Polls until every account is active; throws naming how many are not after ACTIVE_WAIT_MS. */
async function waitActive(chain: ChainClient, addresses: Address[], what: string): Promise<void> {
    const deadline = Date.now() + ACTIVE_WAIT_MS;
    let left = addresses;
    while (left.length > 0) {
        const states = await mapLimit(left, 32, async (a) => (await chain.getAccount(a)).state);
        left = left.filter((_, i) => states[i] !== 'active');
        if (left.length === 0) return;
        if (Date.now() > deadline) throw new Error(`${left.length} of ${addresses.length} ${what} not active within ${ACTIVE_WAIT_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, 500));
    }
}

/** Starts the whole topology, timing each step; on a failure everything started so far is stopped. */
export async function startTopology(shape: TopologyShape, log: (line: string) => void): Promise<Topology> {
    const steps: Record<string, number> = {};
    let mark = performance.now();
    const step = (name: string) => {
        const now = performance.now();
        steps[name] = (now - mark) / 1000;
        mark = now;
        log(`topology: ${name} in ${steps[name].toFixed(1)} s`);
    };
    const devnet = await Devnet.start({ port: 0 });
    const hosts: Host[] = [];
    /** Each child's memory once its services were up. */
    const memory: Record<string, HostMemory> = {};
    const restarts: string[] = [];
    const record = (h: Host, reply: { memory: HostMemory; restarts: string[] }) => {
        memory[h.name] = reply.memory;
        restarts.push(...reply.restarts.map((r) => `${h.name}: ${r}`));
    };
    const stopAll = async () => {
        for (const h of hosts.splice(0).reverse()) await h.stop();
        await devnet.stop();
    };
    try {
        // every child starts now: loading the services' modules overlaps the root's deployment and the funding
        const engineHost = Host.fork('engine', 2048);
        const proxyHost = Host.fork('proxies', 2048);
        const workerHosts = Array.from({ length: Math.ceil(shape.workers / shape.workersPerHost) }, (_, k) => Host.fork(`workers${k}`, 4096));
        const clientHost = Host.fork('clients', 2048);
        hosts.push(engineHost, proxyHost, ...workerHosts, clientHost);
        const engineStarted = engineHost.request({ op: 'start', role: 'engine', configs: [{ model: 'test-model', tokenDelayMs: 0 }], parallel: 1 }, 'started');
        const chain = new ChainClient(devnet.endpoint);
        const root = await deployLocalRoot(chain, devnet.endpoint, {
            ownerName: 'topo-root',
            params: LOCAL_PRICES,
            proxyHashes: [BigInt('0x' + FAKE_IMAGE_HASH)],
            workerHashes: [BigInt('0x' + FAKE_IMAGE_HASH)],
            models: [TOPOLOGY_MODEL],
        });
        const params = (await new RegistryReader(chain, root.address).get()).params;
        step('root');

        const owner = root.owner;
        const proxyWallets = await Promise.all(Array.from({ length: shape.proxies }, (_, i) => wallet(`proxy${i}`, owner)));
        const workerWallets = await Promise.all(Array.from({ length: shape.workers }, (_, i) => wallet(`worker${i}`, owner)));
        const clientWallets = await Promise.all(Array.from({ length: shape.clients }, (_, i) => wallet(`client${i}`, owner)));
        // straight into the sandbox: a thousand faucet requests over HTTP would only measure the HTTP server
        for (const w of proxyWallets) await devnet.ledger.faucet(w.address, toNano('1000'));
        for (const w of workerWallets) await devnet.ledger.faucet(w.address, toNano('5'));
        for (const w of clientWallets) await devnet.ledger.faucet(w.address, toNano('20'));
        step('funding');

        const engine = await engineStarted;
        record(engineHost, engine);
        const engineUrl = engine.engineUrl!;
        const common = { root: root.address.toString(), chain: { endpoints: [{ url: devnet.endpoint }] } };
        const proxyConfigs = proxyWallets.map((w, i) => ({
            ...common,
            wallet: { seed: w.seed, owner: owner.toString() },
            listen: { workers: { port: 0 }, clients: { port: 0 } },
            ops: { port: 0 },
            adminToken: ADMIN_TOKEN,
            database: ':memory:',
            tdx: { provider: 'fake', peerProvider: 'fake' },
            saveStateSeconds: shape.saveStateSeconds,
            thresholds: { chargeTon: shape.chargeTon, payoutTon: shape.payoutTon },
            // every worker is known from the start: nothing changes in the root during the run
            rootRefreshSeconds: 3600,
        }));
        const started = await proxyHost.request({ op: 'start', role: 'proxies', configs: proxyConfigs, parallel: shape.proxies, chainUrl: devnet.endpoint }, 'started');
        record(proxyHost, started);
        const proxies: ProxyNode[] = started.ports.map((p, i) => ({
            contract: proxyAddress({ owner, proxyPublicKey: proxyWallets[i].publicKey, root: root.address, params }),
            ops: `http://127.0.0.1:${p.ops}`,
            workers: `127.0.0.1:${p.workers}`,
            clients: `127.0.0.1:${p.clients}`,
        }));
        await fillRegistry(chain, root, { proxies: proxies.map((p) => `${p.workers} ${p.clients}`) });
        root.sender.stop();
        step('proxies');

        const member = (i: number) => ({ proxyAddress: proxies[i].contract, proxyPublicKey: proxyWallets[i].publicKey, params });
        const workerConfigs = workerWallets.map((w, i) => ({
            ...common,
            wallet: { seed: w.seed, owner: owner.toString() },
            model: TOPOLOGY_MODEL,
            engineUrl,
            proxies: [proxies[i % shape.proxies].workers],
            tdx: { provider: 'fake', peerProvider: 'fake' },
            ops: { port: 0 },
            database: ':memory:',
            payoutThresholdTon: shape.workerPayoutTon,
        }));
        await Promise.all(
            workerHosts.map(async (h, k) => {
                const configs = workerConfigs.slice(k * shape.workersPerHost, (k + 1) * shape.workersPerHost);
                record(h, await h.request({ op: 'start', role: 'workers', configs, parallel: WORKER_STARTS_AT_ONCE, chainUrl: devnet.endpoint }, 'started'));
            }),
        );
        const workerContracts = workerWallets.map((w, i) => workerAddress({ owner: w.address, ...member(i % shape.proxies) }));
        // a worker is enabled on its proxy before its contract's deployment lands: the books start once all have
        await waitActive(chain, workerContracts, 'worker contracts');
        step('workers');

        const clientConfigs = clientWallets.map((w, i) => ({
            ...common,
            wallet: { seed: w.seed, owner: owner.toString() },
            secret: `topology-client-secret-${i}`,
            proxies: [proxies[i % shape.proxies].clients],
            tdx: { peerProvider: 'fake' },
            database: ':memory:',
            deposit: { initialTon: '10', topUpTon: '5' },
        }));
        record(clientHost, await clientHost.request({ op: 'start', role: 'clients', configs: clientConfigs, parallel: CLIENT_STARTS_AT_ONCE, chainUrl: devnet.endpoint }, 'started'));
        const clientContracts = clientWallets.map((w, i) => clientAddress({ owner: w.address, ...member(i % shape.proxies) }));
        step('clients');

        return {
            devnet,
            chain,
            engineUrl,
            root: root.address,
            proxies,
            workerContracts,
            clientContracts,
            hosts: { engine: engineHost, proxies: proxyHost, workers: workerHosts, clients: clientHost },
            setup: { steps, transactions: devnet.ledger.store.size, memory, restarts },
            stop: stopAll,
        };
    } catch (e) {
        await stopAll();
        throw e;
    }
}

export const megabytes = (bytes: number) => bytes / mb;
