// The proxy's overhead: the whole local network (client → proxy → worker → test engine with zero think time)
// against the same test engine called directly, in the same run, phase by phase at each concurrency.
import { FaultNet } from '../../../tests/faults/harness';
import { percentile } from './percentile';
import type { BenchOptions, BenchSection, Target } from './section';

export interface PathFigures {
    requests: number;
    tokens: number;
    seconds: number;
    /** Time to the first content chunk, milliseconds. */
    ttftP50: number;
    ttftP99: number;
}

export interface OverheadRow {
    concurrency: number;
    direct: PathFigures;
    network: PathFigures;
}

export const WARM_UP_STREAMS = 4;


/** One streamed chat completion; resolves with the time to its first content chunk and the chunks received. */
async function streamOnce(url: string): Promise<{ ttftMs: number; chunks: number }> {
    const started = performance.now();
    const res = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'bench' }], stream: true, max_tokens: 20 }),
    });
    if (res.status !== 200 || !res.body) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
    let ttftMs = -1;
    let chunks = 0;
    let buffered = '';
    const decoder = new TextDecoder();
    for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(bytes, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
            const event = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
            const content = (JSON.parse(event.slice(6)) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content;
            if (!content) continue;
            if (ttftMs < 0) ttftMs = performance.now() - started;
            chunks++;
        }
    }
    if (ttftMs < 0) throw new Error(`${url}: a stream without content`);
    return { ttftMs, chunks };
}

/** `concurrency` loops streaming requests for `seconds`. */
export async function load(url: string, concurrency: number, seconds: number): Promise<PathFigures> {
    const ttfts: number[] = [];
    let tokens = 0;
    const started = performance.now();
    const until = started + seconds * 1000;
    await Promise.all(
        Array.from({ length: concurrency }, async () => {
            while (performance.now() < until) {
                const r = await streamOnce(url);
                ttfts.push(r.ttftMs);
                tokens += r.chunks;
            }
        }),
    );
    const elapsed = (performance.now() - started) / 1000;
    ttfts.sort((a, b) => a - b);
    return { requests: ttfts.length, tokens, seconds: elapsed, ttftP50: percentile(ttfts, 0.5), ttftP99: percentile(ttfts, 0.99) };
}

/**
 * The network both this bench and `bench:profile` measure: the client, proxy and worker each in its own process
 * (`nodeArgs` go to each), settlement thresholds out of reach, the services' default chain polling.
 */
export function startOverheadNet(name: string, streams: number, nodeArgs?: string[]): Promise<FaultNet> {
    return FaultNet.start({
        name,
        // the services' default chain polling (the fault suite polls every 100 ms, which costs CPU on every side)
        chainPollMs: 1000,
        // settlement on-chain is not what this measures: the client's deposit covers the run
        proxy: { thresholds: { chargeTon: 1000, payoutTon: 1000 }, saveStateSeconds: 3600, commitMs: 1000 },
        // the engine called directly has no limit either
        worker: { maxActiveRequests: Math.max(WARM_UP_STREAMS, streams) },
        nodeArgs,
    });
}

/**
 * Runs the comparison: the proxy, the worker and the client each in its own process (as deployed; the fault suite's
 * harness starts them), the test engine and the devnet in this one, and for each concurrency the engine directly
 * and the network, `seconds` each (after a short warm-up of both).
 */
export async function measureProxyOverhead(o: { seconds: number; concurrency: number[]; log?: (line: string) => void }): Promise<OverheadRow[]> {
    const log = o.log ?? (() => {});
    const net = await startOverheadNet('bench-overhead', Math.max(...o.concurrency));
    try {
        const direct = `${net.engines[0].url}/v1`;
        const network = `${net.api}/v1`;
        await load(direct, WARM_UP_STREAMS, 0.3);
        await load(network, WARM_UP_STREAMS, 0.3);
        const rows: OverheadRow[] = [];
        for (const c of o.concurrency) {
            log(`proxy overhead: ${c} concurrent streams, ${o.seconds} s per path`);
            rows.push({ concurrency: c, direct: await load(direct, c, o.seconds), network: await load(network, c, o.seconds) });
        }
        return rows;
    } finally {
        await net.stop();
    }
}

/** The markdown table of the rows: added time to first token and the network's share of direct throughput. */
export function overheadTable(rows: OverheadRow[]): string {
    const ms = (n: number) => n.toFixed(2);
    const lines = rows.map((r) => {
        const rps = (p: PathFigures) => p.requests / p.seconds;
        const tps = (p: PathFigures) => p.tokens / p.seconds;
        return `| ${r.concurrency} | ${ms(r.direct.ttftP50)} / ${ms(r.direct.ttftP99)} | ${ms(r.network.ttftP50)} / ${ms(r.network.ttftP99)} | ${ms(r.network.ttftP50 - r.direct.ttftP50)} / ${ms(r.network.ttftP99 - r.direct.ttftP99)} | ${rps(r.direct).toFixed(0)} / ${rps(r.network).toFixed(0)} | ${tps(r.direct).toFixed(0)} / ${tps(r.network).toFixed(0)} | ${((100 * rps(r.network)) / rps(r.direct)).toFixed(0)}% |`;
    });
    return [
        '| streams | TTFT direct p50 / p99 (ms) | TTFT via network p50 / p99 (ms) | added p50 / p99 (ms) | requests/s direct / network | tokens/s direct / network | network throughput |',
        '|---:|---:|---:|---:|---:|---:|---:|',
        ...lines,
    ].join('\n');
}

const ADDED_P50_MS = 1;
const ADDED_P99_MS = 5;
const THROUGHPUT_SHARE = 0.9;

/** `npm run bench` part: the overhead table and the targets (added TTFT at every concurrency, throughput at 128). */
export async function benchProxyOverhead(o: BenchOptions): Promise<BenchSection> {
    const concurrency = o.smoke ? [1, 4] : [1, 16, 128];
    const seconds = o.smoke ? 0.3 : 3;
    const rows = await measureProxyOverhead({ seconds, concurrency, log: o.log });
    const targets: Target[] = [];
    for (const r of rows) {
        const p50 = r.network.ttftP50 - r.direct.ttftP50;
        const p99 = r.network.ttftP99 - r.direct.ttftP99;
        targets.push({ what: `added TTFT p50, ${r.concurrency} stream(s)`, measured: `${p50.toFixed(2)} ms`, target: `< ${ADDED_P50_MS} ms`, met: p50 < ADDED_P50_MS });
        // a direct tail longer than the network's is the load generator's own queueing: nothing to judge by
        targets.push({ what: `added TTFT p99, ${r.concurrency} stream(s)`, measured: `${p99.toFixed(2)} ms`, target: `< ${ADDED_P99_MS} ms`, met: p99 >= 0 && p99 < ADDED_P99_MS });
    }
    const last = rows[rows.length - 1];
    const share = last.network.requests / last.network.seconds / (last.direct.requests / last.direct.seconds);
    targets.push({
        what: `streamed throughput via the network ÷ direct, ${last.concurrency} streams`,
        measured: `${(share * 100).toFixed(0)}%`,
        target: `≥ ${THROUGHPUT_SHARE * 100}%`,
        met: share >= THROUGHPUT_SHARE,
    });
    return {
        title: 'Proxy overhead',
        table: overheadTable(rows),
        targets,
        notes: [
            `Each request: a streamed chat completion of 20 tokens from the test engine with zero think time; ${seconds} s per path and concurrency, after a warm-up; both paths measured in turn in the same run.`,
            'Direct: this process calls the test engine (in this process). Network: this process calls the client\'s OpenAI API; the client, proxy and worker each run in their own process (`cocoon client|proxy|worker`, fake TDX, mutual RA-TLS between them), the devnet in this process.',
        ],
    };
}
