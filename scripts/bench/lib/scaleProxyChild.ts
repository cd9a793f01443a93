// The proxy's own process in the scale benchmark: one ProxyService, measured from inside (heap and RSS after a full
// collection, event-loop delay), so the load generators in the parent do not pollute its figures. Driven over IPC.
import { createServer } from 'https';
import { monitorEventLoopDelay, type IntervalHistogram } from 'perf_hooks';
import { WebSocketServer } from 'ws';
import { ChainClient } from '../../../offchain/chain';
import { ProxyService, type ProxyConfig } from '../../../offchain/proxy';

export interface MemoryFigures {
    rss: number;
    heapUsed: number;
    /** Off-heap memory of JS objects (Buffers, TLS and socket state held by them). */
    external: number;
}

export interface LagFigures {
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
}

export interface LedgerFigures {
    running: number;
    workers: number;
    /** tokensMax of every worker account, by contract. */
    workerTokens: Record<string, string>;
    /** tokensMax summed over the client accounts. */
    clientTokens: string;
}

/** What the parent asks, and what each request answers. */
export interface ChildCalls {
    start: { args: { config: ProxyConfig; endpoint: string }; result: { workers: number; clients: number } };
    memory: { args: null; result: MemoryFigures };
    lagStart: { args: null; result: null };
    lagStop: { args: null; result: LagFigures };
    ledger: { args: null; result: LedgerFigures };
    /** The baseline of a worker connection: a plain TLS 1.3 WebSocket server in this process (key and cert PEM), until it exits. */
    plainListen: { args: { keyPem: string; certPem: string }; result: { port: number } };
    stop: { args: null; result: null };
}

export type ChildRequest = { [K in keyof ChildCalls]: { id: number; call: K; args: ChildCalls[K]['args'] } }[keyof ChildCalls];
export type ChildReply = { id: number; result?: unknown; error?: string };

/** Event-loop delay sampling interval. */
const LAG_RESOLUTION_MS = 1;
const gc = (globalThis as { gc?: () => void }).gc;
let service: ProxyService | null = null;
let lag: IntervalHistogram | null = null;

function memory(): MemoryFigures {
    if (!gc) throw new Error('the proxy process needs --expose-gc to measure memory');
    // twice: the first collection's finalizers free more for the second
    gc();
    gc();
    const m = process.memoryUsage();
    return { rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

function ledger(): LedgerFigures {
    const s = service!.status();
    return {
        running: s.runningRequests,
        workers: s.workers.length,
        workerTokens: Object.fromEntries(s.workerAccounts.map((w) => [w.contract, w.tokensMax])),
        clientTokens: s.clients.reduce((sum, c) => sum + BigInt(c.tokensMax), 0n).toString(),
    };
}

async function handle(r: ChildRequest): Promise<unknown> {
    switch (r.call) {
        case 'start':
            service = await ProxyService.start(r.args.config, { chain: new ChainClient(r.args.endpoint), logSink: () => {} });
            return { workers: service.ports.workers, clients: service.ports.clients };
        case 'memory':
            return memory();
        case 'lagStart':
            lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
            lag.enable();
            return null;
        case 'lagStop': {
            lag!.disable();
            // the histogram holds whole sampling intervals: the lag is what exceeds the interval
            const ms = (ns: number) => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);
            return { p50Ms: ms(lag!.percentile(50)), p99Ms: ms(lag!.percentile(99)), maxMs: ms(lag!.max) };
        }
        case 'ledger':
            return ledger();
        case 'plainListen': {
            const server = createServer({ key: r.args.keyPem, cert: r.args.certPem, minVersion: 'TLSv1.3' });
            const wss = new WebSocketServer({ server });
            // like a protocol connection, each one keeps its messages' handler
            wss.on('connection', (ws) => ws.on('message', () => undefined));
            await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
            return { port: (server.address() as { port: number }).port };
        }
        case 'stop':
            await service?.stop();
            service = null;
            return null;
    }
}

process.on('message', (r: ChildRequest) => {
    handle(r).then(
        (result) => process.send!({ id: r.id, result } satisfies ChildReply),
        (e: unknown) => process.send!({ id: r.id, error: (e as Error).message } satisfies ChildReply),
    );
});
// the parent gone (a crashed bench) ends this process too
process.on('disconnect', () => process.exit(0));
