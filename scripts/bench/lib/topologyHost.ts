// A child process of the topology bench: it hosts one group of real services (proxies, workers or clients, or the
// test engine) so the network spreads over both cores, and answers its parent over the IPC channel.
import { ProxyRunner, type ProxyConfig } from '../../../offchain/proxy';
import { WorkerService } from '../../../offchain/worker';
import { InferenceClient } from '../../../offchain/client';
import { TestEngine, type TestEngineOptions } from '../../../offchain/engine';
import { ChainClient } from '../../../offchain/chain/client';
import { mapLimit } from './parallel';
import { percentile } from './percentile';

export type HostRole = 'engine' | 'proxies' | 'workers' | 'clients';

export interface HostMemory {
    rssBytes: number;
    heapUsedBytes: number;
}

/** What one client's database says after the traffic: its receipts summed, in all and per worker contract. */
export interface ClientBooks {
    clientContract: string;
    proxyContract: string;
    receipts: number;
    tokens: string;
    byWorker: Record<string, string>;
}

export interface TrafficFigures {
    requests: number;
    failed: number;
    /** Distinct failure messages with their counts (a few). */
    failures: Record<string, number>;
    tokens: number;
    seconds: number;
    /** Time from sending to the answer's head, milliseconds. */
    headP50: number;
    headP99: number;
    books: ClientBooks[];
}

export type ToHost =
    | { op: 'start'; role: HostRole; configs: object[]; parallel: number; chainUrl?: string }
    | { op: 'traffic'; seconds: number; streamsPerClient: number; maxTokens: number }
    | { op: 'memory' }
    | { op: 'stop' };

export type FromHost =
    | {
          op: 'started';
          ports: { workers: number; clients: number; ops: number }[];
          engineUrl?: string;
          memory: HostMemory;
          /** Services whose start failed and was tried again, and why. */
          restarts: string[];
          errorLines: string[];
      }
    | { op: 'traffic'; figures: TrafficFigures; memory: HostMemory }
    | { op: 'memory'; memory: HostMemory }
    | { op: 'stopped'; memory: HostMemory; errorLines: string[] }
    | { op: 'failed'; message: string; errorLines: string[] };

/** Error-level log lines kept to explain a failure (the rest of the services' logs is dropped: thousands of services). */
const errorLines: string[] = [];
const KEPT_ERRORS = 20;
const logSink = (line: string) => {
    if (!line.includes('"level":"error"')) return;
    if (errorLines.length >= KEPT_ERRORS) errorLines.shift();
    errorLines.push(line.slice(0, 500));
};

const memory = (): HostMemory => {
    const m = process.memoryUsage();
    return { rssBytes: m.rss, heapUsedBytes: m.heapUsed };
};

type Hosted = TestEngine | ProxyRunner | WorkerService | InferenceClient;
const hosted: Hosted[] = [];

const restarts: string[] = [];
const START_ATTEMPTS = 3;
const RESTART_PAUSE_MS = 2000;

/**
 * Starts a service as its operator's supervisor would: a start that fails (e.g. the devnet, busy deploying a
 * thousand contracts, drops a connection) is tried again after a pause, and the restart is reported.
 */
async function supervised<T>(what: string, start: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await start();
        } catch (e) {
            if (attempt === START_ATTEMPTS) throw new Error(`${what}: ${(e as Error).message} (attempt ${attempt})`);
            restarts.push(`${what}: ${(e as Error).message}`);
            await new Promise((r) => setTimeout(r, RESTART_PAUSE_MS));
        }
    }
}

/**
 * A devnet busy deploying a thousand contracts answers slower than the services' default 15 s per request: one
 * chain client per child, shared by its services, waits longer.
 */
const CHAIN_TIMEOUT_MS = 60_000;

async function start(role: HostRole, configs: object[], parallel: number, chainUrl?: string): Promise<FromHost> {
    const deps = { logSink, ...(chainUrl ? { chain: new ChainClient({ endpoints: [chainUrl], timeoutMs: CHAIN_TIMEOUT_MS }) } : {}) };
    const started = (ports: { workers: number; clients: number; ops: number }[], engineUrl?: string): FromHost => ({
        op: 'started',
        ports,
        engineUrl,
        memory: memory(),
        restarts,
        errorLines,
    });
    // kept in the configs' order: the parent knows each service by its index
    if (role === 'engine') {
        const engine = (hosted[0] = await TestEngine.start(configs[0] as TestEngineOptions));
        return started([], engine.url);
    }
    if (role === 'proxies') {
        const proxies = await mapLimit(configs, parallel, (c, i) =>
            supervised(`proxy ${i}`, async () => (hosted[i] = await ProxyRunner.start(c as ProxyConfig, deps))),
        );
        return started(proxies.map((p) => p.ports));
    }
    if (role === 'workers') {
        await mapLimit(configs, parallel, (c, i) =>
            supervised(`worker ${i}`, async () => {
                const w = (hosted[i] = await WorkerService.start(c, deps));
                await w.whenReady();
            }),
        );
    } else {
        await mapLimit(configs, parallel, (c, i) => supervised(`client ${i}`, async () => (hosted[i] = await InferenceClient.start(c, deps))));
    }
    return started([]);
}

/** Every client streams chat completions back to back on `streamsPerClient` loops until `seconds` have passed. */
async function traffic(seconds: number, streamsPerClient: number, maxTokens: number): Promise<FromHost> {
    const clients = hosted as InferenceClient[];
    const heads: number[] = [];
    const failures: Record<string, number> = {};
    let failed = 0;
    let tokens = 0;
    const started = performance.now();
    const end = started + seconds * 1000;
    const body = JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'topology' }], stream: true, max_tokens: maxTokens });
    await Promise.all(
        clients.flatMap((client) =>
            Array.from({ length: streamsPerClient }, async () => {
                while (performance.now() < end) {
                    try {
                        const answer = await client.request('/v1/chat/completions', body);
                        for await (const _ of answer.parts);
                        const outcome = await answer.done;
                        heads.push(answer.timeToHeadMs);
                        tokens += outcome.tokens.total;
                    } catch (e) {
                        failed++;
                        const what = (e as Error).message.slice(0, 120);
                        failures[what] = (failures[what] ?? 0) + 1;
                    }
                }
            }),
        ),
    );
    const elapsed = (performance.now() - started) / 1000;
    heads.sort((a, b) => a - b);
    const books = clients.map((client): ClientBooks => {
        const receipts = client.receipts();
        const byWorker: Record<string, bigint> = {};
        let total = 0n;
        for (const r of receipts) {
            total += BigInt(r.tokens.total);
            byWorker[r.workerContract] = (byWorker[r.workerContract] ?? 0n) + BigInt(r.tokens.total);
        }
        const status = client.status();
        return {
            clientContract: receipts[0]?.clientContract ?? '',
            proxyContract: status.proxy?.contract ?? '',
            receipts: receipts.length,
            tokens: total.toString(),
            byWorker: Object.fromEntries(Object.entries(byWorker).map(([w, t]) => [w, t.toString()])),
        };
    });
    const figures: TrafficFigures = {
        requests: heads.length,
        failed,
        failures,
        tokens,
        seconds: elapsed,
        headP50: percentile(heads, 0.5),
        headP99: percentile(heads, 0.99),
        books,
    };
    return { op: 'traffic', figures, memory: memory() };
}

async function stop(): Promise<FromHost> {
    const m = memory();
    await Promise.all(hosted.splice(0).map((h) => h?.stop().catch(() => undefined)));
    return { op: 'stopped', memory: m, errorLines };
}

async function handle(m: ToHost): Promise<FromHost> {
    switch (m.op) {
        case 'start':
            return start(m.role, m.configs, m.parallel, m.chainUrl);
        case 'traffic':
            return traffic(m.seconds, m.streamsPerClient, m.maxTokens);
        case 'memory':
            return { op: 'memory', memory: memory() };
        case 'stop':
            return stop();
    }
}

/** Serves the parent's requests on the IPC channel (topologyHosts.ts starts the process with this). */
export function serve(): void {
    process.on('message', (m: ToHost) => {
        handle(m).then(
            (reply) => {
                process.send!(reply);
                if (m.op === 'stop') process.disconnect();
            },
            (e: unknown) => process.send!({ op: 'failed', message: (e as Error).message, errorLines } satisfies FromHost),
        );
    });
}
