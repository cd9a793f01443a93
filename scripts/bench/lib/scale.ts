// Scale (issue "Performance at network scale"): one real proxy, in its own process, with 1,000 fake-TDX worker
// connections and 10,000 concurrent streams; its memory per worker connection and per open stream, worker selection
// per request, requests/s at that scale, its event-loop lag while the streams run, and every token accounted exactly.
import { Address, toNano } from '@ton/core';
import type { WebSocket } from 'ws';
import { spawn, type ChildProcess } from 'child_process';
import { createHash } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ChainClient, cocoonWalletAdapter, devnetKey, devnetSeed, keyFromSeedHex, requestFaucet, walletV4Adapter, WalletSender } from '../../../offchain/chain';
import { Devnet } from '../../../offchain/devnet';
import { deployLocalRoot } from '../../../offchain/localnet';
import type { ProxyConfig } from '../../../offchain/proxy';
import { FAKE_IMAGE_HASH } from '../../../offchain/ratls';
import { clientAddress, clientStateInit, proxyAddress } from '../../../wrappers/addresses';
import { clientMessages } from '../../../wrappers/client';
import { clientIdentity, FakeClient, openPlain, WorkerFleet } from './scaleLoad';
import type { ChildCalls, ChildReply, LagFigures, MemoryFigures } from './scaleProxyChild';
import { selectionMicros } from './scaleSelection';
import { markdownTable, type BenchOptions, type BenchSection } from './section';

/** The model of the workers at scale, and of the few workers of the baseline (measured in the same proxy). */
const MANY = { model: 'scale-many@v1:abc', base: 'scale-many' };
const FEW = { model: 'scale-few@v1:abc', base: 'scale-few' };
const SECRET = 'the scale benchmark client secret';
const FEW_WORKERS = 10;
/** Completion allowance of each query: the held streams stop their trickle below it. */
const MAX_TOKENS = 64;
const QUERY_TIMEOUT_MS = 600_000;
/** The held streams' trickle: every tick, one more part on this share of them (each stream: one part per 2 s), in
 * small steps as tokens of many streams arrive (bursts of hundreds would measure this process's timer, not the proxy). */
const TICK_MS = 10;
const TICK_SHARE = 0.005;
/** The requests/s phases alternate between the two pools in slices this long, so that both see the same noise. */
const SLICE_SECONDS = 1;
/** Streams opened (and ended) at once while ramping up (and down). */
const OPEN_WAVE = 500;

interface Scale {
    workers: number;
    streams: number;
    clientConnections: number;
    /** Concurrent requests of the requests/s phases, and each phase's length. */
    concurrency: number;
    throughputSeconds: number;
    /** How long the streams are held open while the lag is measured (and the idle lag before). */
    holdSeconds: number;
    idleSeconds: number;
    selectionPicks: number;
}

const FULL: Scale = { workers: 1000, streams: 10_000, clientConnections: 100, concurrency: 64, throughputSeconds: 4, holdSeconds: 8, idleSeconds: 2, selectionPicks: 20_000 };
const SMOKE: Scale = { workers: 20, streams: 200, clientConnections: 4, concurrency: 8, throughputSeconds: 0.4, holdSeconds: 0.3, idleSeconds: 0.2, selectionPicks: 500 };

/** The proxy process: a ProxyService answering the parent's calls over IPC. */
class ProxyProcess {
    private next = 0;
    private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    private exited: string | null = null;

    private constructor(private readonly child: ChildProcess) {
        child.on('message', (r: ChildReply) => {
            const w = this.waiting.get(r.id);
            this.waiting.delete(r.id);
            if (r.error !== undefined) w?.reject(new Error(`proxy process: ${r.error}`));
            else w?.resolve(r.result);
        });
        child.on('exit', (code, signal) => {
            this.exited = `the proxy process exited (${code ?? signal})`;
            for (const w of this.waiting.values()) w.reject(new Error(this.exited));
            this.waiting.clear();
        });
    }

    /** Node with the project's TypeScript loader (swc, as bin/cocoon.js) and a collector the child may call. */
    static start(): ProxyProcess {
        const root = join(__dirname, '..', '..', '..');
        const boot = `require('ts-node').register({ swc: true, project: ${JSON.stringify(join(root, 'tsconfig.json'))} }); require(${JSON.stringify(join(__dirname, 'scaleProxyChild.ts'))});`;
        return new ProxyProcess(spawn(process.execPath, ['--expose-gc', '-e', boot], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    }

    call<K extends keyof ChildCalls>(call: K, ...args: ChildCalls[K]['args'] extends null ? [] : [ChildCalls[K]['args']]): Promise<ChildCalls[K]['result']> {
        if (this.exited) return Promise.reject(new Error(this.exited));
        const id = ++this.next;
        return new Promise((resolve, reject) => {
            this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
            this.child.send({ id, call, args: args[0] ?? null });
        });
    }

    /** Lets the process exit by itself (it ends when its parent lets go), killed if it has not within 5 s. */
    async close(): Promise<void> {
        if (this.exited) return;
        const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
        this.child.disconnect();
        const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(timer);
    }
}

/** What the clients saw of every request: the requests/s phases and the streams alike. */
class Tally {
    requests = 0;
    /** Adjusted tokens charged, summed from the answers' `tokens`. */
    tokens = 0;
    parts = 0;
    /** The first request that failed: the run stops with it. */
    failure: Error | null = null;

    async one(c: FakeClient, model: string): Promise<void> {
        try {
            const end = await c.query(model, MAX_TOKENS, QUERY_TIMEOUT_MS);
            this.requests++;
            this.tokens += end.tokens.total;
            this.parts += end.parts;
        } catch (e) {
            this.failure ??= e as Error;
        }
    }

    check(): void {
        if (this.failure) throw this.failure;
    }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, done: () => boolean, timeoutMs: number, tally: Tally): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
        tally.check();
        if (Date.now() > deadline) throw new Error(`scale bench: ${what} did not happen within ${timeoutMs / 1000} s`);
        await sleep(20);
    }
}

/** `concurrency` loops of instant requests of `model` for `seconds`, spread over the clients: requests and seconds. */
async function requestRate(clients: FakeClient[], tally: Tally, model: string, concurrency: number, seconds: number): Promise<{ requests: number; seconds: number }> {
    const before = tally.requests;
    const started = performance.now();
    const end = started + seconds * 1000;
    await Promise.all(
        Array.from({ length: concurrency }, async (_, i) => {
            while (performance.now() < end && !tally.failure) await tally.one(clients[i % clients.length], model);
        }),
    );
    tally.check();
    return { requests: tally.requests - before, seconds: (performance.now() - started) / 1000 };
}

/** Requests/s of each model over `seconds` each, alternating slices. */
async function interleavedRates(clients: FakeClient[], tally: Tally, models: string[], concurrency: number, seconds: number): Promise<number[]> {
    const sums = models.map(() => ({ requests: 0, seconds: 0 }));
    const slice = Math.min(SLICE_SECONDS, seconds);
    for (let done = 0; done < seconds - 1e-9; done += slice) {
        for (const [i, model] of models.entries()) {
            const r = await requestRate(clients, tally, model, concurrency, slice);
            sums[i].requests += r.requests;
            sums[i].seconds += r.seconds;
        }
    }
    return sums.map((s) => s.requests / s.seconds);
}

/** A devnet with a root allowing the fake image and the model, and a client contract holding a deposit and secret. */
async function chainSetup(devnet: Devnet) {
    const chain = new ChainClient(devnet.endpoint);
    const fakeHash = BigInt('0x' + FAKE_IMAGE_HASH);
    // 1000 nanoTON a token (as the local network), so 10,000 reservations fit in a 5 TON deposit
    const root = await deployLocalRoot(chain, devnet.endpoint, {
        proxyHashes: [fakeHash],
        workerHashes: [fakeHash],
        models: [MANY.model, FEW.model],
        params: { pricePerToken: 1000n, workerFeePerToken: 800n },
    });
    const seed = devnetSeed('bench-scale-proxy').toString('hex');
    const key = keyFromSeedHex(seed);
    const proxyOwner = walletV4Adapter(devnetKey('bench-scale-proxy-owner')).address;
    const wallet = await cocoonWalletAdapter(key, proxyOwner);
    await requestFaucet(devnet.endpoint, wallet.address, toNano('50'));
    const clientWallet = walletV4Adapter(devnetKey('bench-scale-client'));
    await requestFaucet(devnet.endpoint, clientWallet.address, toNano('20'));
    const proxy = proxyAddress({ owner: proxyOwner, proxyPublicKey: key.publicKey, root: root.address, params: root.params });
    const member = { owner: clientWallet.address, proxyAddress: proxy, proxyPublicKey: key.publicKey, params: root.params };
    return { chain, root, seed, proxyOwner, member, clientWallet };
}

async function deployClient(chain: ChainClient, s: Awaited<ReturnType<typeof chainSetup>>): Promise<Address> {
    const sender = new WalletSender(chain, s.clientWallet, { pollMs: 20 });
    const secretHash = BigInt('0x' + createHash('sha256').update(SECRET).digest('hex'));
    const to = clientAddress(s.member);
    const sent = await sender.send({
        to,
        value: toNano('5.3'),
        init: clientStateInit(s.member),
        body: clientMessages.changeSecretHashAndTopUp(1n, toNano('5'), secretHash, s.clientWallet.address),
    });
    if (sent.status !== 'delivered') throw new Error(`scale bench: deploying the client contract ${sent.status}`);
    return s.clientWallet.address;
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const perUnit = (after: MemoryFigures, before: MemoryFigures, n: number) => ({
    rss: (after.rss - before.rss) / n,
    heap: (after.heapUsed - before.heapUsed) / n,
    external: (after.external - before.external) / n,
});
const lagCell = (l: LagFigures) => `${l.p50Ms.toFixed(2)} / ${l.p99Ms.toFixed(2)} / ${l.maxMs.toFixed(1)}`;

export async function benchScale(o: BenchOptions): Promise<BenchSection> {
    const p = o.smoke ? SMOKE : FULL;
    const dir = mkdtempSync(join(tmpdir(), 'cocoon-bench-scale-'));
    const devnet = await Devnet.start({ port: 0, log: () => {} });
    const proxy = ProxyProcess.start();
    const few = new WorkerFleet(FEW.model, p.concurrency);
    const many = new WorkerFleet(MANY.model, Math.ceil((4 * p.streams) / p.workers));
    const clients: FakeClient[] = [];
    let ticker: NodeJS.Timeout | undefined;
    let plainSockets: WebSocket[] = [];
    try {
        o.log('scale: devnet, root and accounts; the workers\' identities meanwhile');
        const identities = Promise.all([few.prepare(FEW_WORKERS), many.prepare(p.workers)]);
        const s = await chainSetup(devnet);
        const config: ProxyConfig = {
            root: s.root.address.toString(),
            chain: { endpoints: [{ url: devnet.endpoint }], pollMs: 50 },
            wallet: { seed: s.seed, owner: s.proxyOwner.toString() },
            listen: { workers: { port: 0 }, clients: { port: 0 } },
            ops: { port: 0 },
            database: join(dir, 'proxy.sqlite'),
            tdx: { provider: 'fake', peerProvider: 'fake' },
            // settlement is not what this measures: nothing reaches a threshold
            thresholds: { chargeTon: 1000, payoutTon: 1000 },
        };
        o.log('scale: starting the proxy process');
        const [ports, owner, identity] = await Promise.all([proxy.call('start', { config, endpoint: devnet.endpoint }), deployClient(s.chain, s), clientIdentity(), identities]);
        const idle = await proxy.call('memory');

        o.log(`scale: ${p.clientConnections} client connections, ${FEW_WORKERS} workers of the baseline model`);
        for (let i = 0; i < p.clientConnections; i++) clients.push(await FakeClient.connect(ports.clients, owner, SECRET, identity));
        await few.connect(ports.workers, FEW_WORKERS);

        // the baseline first and kept open, so that both grow the process rather than reuse what the other freed
        o.log(`scale: the baseline of a worker connection: ${p.workers} plain TLS WebSockets`);
        const beforePlain = await proxy.call('memory');
        const plainPort = await proxy.call('plainListen', { keyPem: identity.keyPem, certPem: identity.certPem });
        plainSockets = await openPlain(plainPort.port, p.workers, 20);
        const afterPlain = await proxy.call('memory');

        const beforeWorkers = await proxy.call('memory');
        o.log(`scale: connecting ${p.workers} workers`);
        const connectStarted = performance.now();
        await many.connect(ports.workers, 20);
        const connectSeconds = (performance.now() - connectStarted) / 1000;
        const afterWorkers = await proxy.call('memory');
        const tally = new Tally();
        o.log('scale: requests/s, each pool in turn');
        const [manyRate, fewRate] = await interleavedRates(clients, tally, [MANY.base, FEW.base], p.concurrency, p.throughputSeconds);

        await proxy.call('lagStart');
        await sleep(p.idleSeconds * 1000);
        const idleLag = await proxy.call('lagStop');

        o.log(`scale: opening ${p.streams} streams`);
        const beforeStreams = await proxy.call('memory');
        const fleet = many;
        fleet.hold = true;
        const startedBefore = clients.reduce((n, c) => n + c.started, 0);
        const openStarted = performance.now();
        const openCount = () => clients.reduce((n, c) => n + c.started, 0) - startedBefore;
        const streams: Promise<void>[] = [];
        // in waves, so that neither this process nor the proxy stalls past the proxy's keepalive on one burst
        while (streams.length < p.streams) {
            const wave = Math.min(OPEN_WAVE, p.streams - streams.length);
            for (let i = 0; i < wave; i++) streams.push(tally.one(clients[streams.length % clients.length], MANY.base));
            await until(`${streams.length} streams open`, () => openCount() === streams.length, 60_000, tally);
        }
        const openSeconds = (performance.now() - openStarted) / 1000;
        o.log(`scale: ${p.streams} streams open in ${openSeconds.toFixed(1)} s; holding them ${p.holdSeconds} s`);
        ticker = setInterval(() => fleet.trickle(TICK_SHARE, MAX_TOKENS - 1), TICK_MS);
        await proxy.call('lagStart');
        await sleep(p.holdSeconds * 1000);
        const streamLag = await proxy.call('lagStop');
        const withStreams = await proxy.call('memory');
        clearInterval(ticker);
        const held = fleet.open;

        o.log('scale: ending every stream');
        // in waves too: all at once would be a burst no real fleet of workers sends
        for (let ended = 0; ended < p.streams; ended += OPEN_WAVE) {
            const before = tally.requests;
            fleet.finish(OPEN_WAVE);
            const wave = Math.min(OPEN_WAVE, p.streams - ended);
            await until(`${ended + wave} streams ended`, () => tally.requests - before === wave, 60_000, tally);
        }
        await Promise.all(streams);
        tally.check();
        let ledger = await proxy.call('ledger');
        for (let i = 0; ledger.running > 0 && i < 100; i++) ledger = await sleep(50).then(() => proxy.call('ledger'));

        // every token the workers reported is counted once: per worker account, for the client, and in the answers
        const workers = [...few.workers, ...many.workers];
        const sent = workers.reduce((n, w) => n + w.usageTokens, 0);
        const partsSent = workers.reduce((n, w) => n + w.partsSent, 0);
        const wrongWorkers = workers.filter((w) => ledger.workerTokens[w.contract] !== String(w.usageTokens)).length;
        const exact = wrongWorkers === 0 && ledger.clientTokens === String(sent) && tally.tokens === sent && tally.parts === partsSent && held === p.streams;
        const accounted = `${tally.requests} requests, ${sent} tokens: proxy ledger ${ledger.clientTokens} (client), ${workers.length - wrongWorkers}/${workers.length} workers exact; parts ${tally.parts}/${partsSent}`;

        o.log('scale: selection microbenchmark');
        const pickMany = selectionMicros(p.workers, p.selectionPicks);
        const pickFew = selectionMicros(FEW_WORKERS, p.selectionPicks * 10);

        const perWorker = perUnit(afterWorkers, beforeWorkers, p.workers);
        const perStream = perUnit(withStreams, beforeStreams, p.streams);
        const perPlain = perUnit(afterPlain, beforePlain, p.workers);
        const table = markdownTable(
            ['figure', `at scale (${p.workers} workers, ${p.streams} streams)`, 'baseline (same run)', 'ratio'],
            [
                ['proxy memory per worker connection: RSS / heap / external (KiB)', `${kb(perWorker.rss)} / ${kb(perWorker.heap)} / ${kb(perWorker.external)}`, `${kb(perPlain.rss)} / ${kb(perPlain.heap)} / ${kb(perPlain.external)} (plain TLS 1.3 WebSocket)`, `${(perWorker.heap / perPlain.heap).toFixed(1)}× heap`],
                ['proxy memory per open stream: RSS / heap / external (KiB)', `${kb(perStream.rss)} / ${kb(perStream.heap)} / ${kb(perStream.external)}`, `idle proxy: RSS ${kb(idle.rss / 1024)} MiB, heap ${kb(idle.heapUsed / 1024)} MiB`, '–'],
                ['worker selection, µs per pick', `${pickMany.toFixed(2)} (${p.workers} workers)`, `${pickFew.toFixed(2)} (${FEW_WORKERS} workers)`, `${(pickMany / pickFew).toFixed(1)}×`],
                [`requests/s through the proxy (${p.concurrency} concurrent, instant answers)`, `${manyRate.toFixed(0)} (model of ${p.workers} workers)`, `${fewRate.toFixed(0)} (model of ${FEW_WORKERS} workers)`, `${(manyRate / fewRate).toFixed(2)}×`],
                ['proxy event-loop lag p50 / p99 / max (ms)', `${lagCell(streamLag)} (${p.streams} streams open)`, `${lagCell(idleLag)} (idle, ${p.workers} workers)`, '–'],
                [`time to open the ${p.streams} streams / to connect ${p.workers} workers (s)`, `${openSeconds.toFixed(1)} / ${connectSeconds.toFixed(1)}`, '–', '–'],
            ],
        );
        return {
            title: 'Scale: one proxy, 1,000 worker connections, 10,000 concurrent streams',
            table,
            targets: [{ what: 'every stream completed and every token counted once (proxy ledger = tokens the workers reported)', measured: accounted, target: 'all, exact', met: exact }],
            notes: [
                `The proxy runs alone in its own Node process (fake TDX, in-memory figures read over IPC); the devnet, ${p.workers} + ${FEW_WORKERS} fake workers (RA-TLS WebSocket connections, one owner each) and ${p.clientConnections} raw protocol client connections run in the bench process.`,
                'Memory: the proxy process\'s RSS, V8 heap and external memory after two full collections, before and after connecting the workers (and opening the streams), divided by their number. The baseline is as many plain TLS 1.3 WebSockets (server certificate only, no protocol) to a server in the same process, opened just before the workers and kept open.',
                `Streams: each query gets its head and a first part at once, then one part every ${(TICK_MS / TICK_SHARE / 1000).toFixed(0)} s on average while held; lag is monitorEventLoopDelay (1 ms sampling, the interval subtracted) over the ${p.holdSeconds} s hold; the idle baseline is the same proxy with the workers connected and no request.`,
                `Requests/s: the baseline is a second model served by ${FEW_WORKERS} workers of the same proxy, the two measured in alternating ${SLICE_SECONDS} s slices (${p.throughputSeconds} s each), so that both see the same machine.`,
                'Selection: WorkerPool.select alone over workers of one model with a little reputation history each, about 10 requests in flight per worker (scripts/bench/lib/scaleSelection.ts). It is one pass over the model\'s workers; before it was indexed by model and freed of per-pick arrays, string splits and clock reads it took about 8× longer at 1,000 workers (414 → 49 µs on this machine).',
                'Profile (node --cpu-prof of the proxy process, per phase): with 1,000 workers the time per request goes mostly to writev, one system call per frame, since each request\'s frames to a worker (proxy.query, then proxy.payment) go to a different connection, where 10 busy connections get several frames per write; worker selection is about a tenth. While the streams are held, forwarding answer.part (parse, validate, hash, send) is nearly all of it; the lag spikes follow the machine\'s load (other processes share its two cores: the idle baseline has them too).',
                'Fixed for this scale: selection per request (above); a worker\'s disconnect scanning every request in flight (now its own only); the ledger\'s load scanning the whole commit history per account. The 10-worker profile also showed each worker\'s reputation window re-sorted after every request (fixed separately).',
            ],
        };
    } finally {
        clearInterval(ticker);
        for (const ws of plainSockets) ws.terminate();
        for (const c of clients) c.close();
        few.close();
        many.close();
        await proxy.call('stop').catch(() => undefined);
        await proxy.close();
        await devnet.stop();
        rmSync(dir, { recursive: true, force: true });
    }
}
