// The proxy's overhead: the whole local network (client → proxy → worker → test engine with zero think time)
// against the same test engine called directly, in the same run, phase by phase at each concurrency.
import { TestEngine } from '../../../offchain/engine';
import { LOCAL_MODEL, startNetwork } from '../../../offchain/cli/up/network';

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

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

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
 * Runs the comparison: a test engine, a whole local network in front of it, then for each concurrency the engine
 * directly and the network, `seconds` each (after a short warm-up of both).
 */
export async function measureProxyOverhead(o: { seconds: number; concurrency: number[]; log?: (line: string) => void }): Promise<OverheadRow[]> {
    const log = o.log ?? (() => {});
    const engine = await TestEngine.start({ model: 'test-model', tokenDelayMs: 0 });
    const net = await startNetwork({
        clientPort: 0,
        engineUrl: engine.url,
        model: LOCAL_MODEL,
        progress: () => {},
        logSink: () => {},
        // settlement on-chain is not what this measures: the client's deposit covers the run
        thresholds: { chargeTon: 1000, payoutTon: 1000 },
        // the engine called directly has no limit either
        workerMaxActiveRequests: Math.max(...o.concurrency),
    });
    try {
        const direct = `${engine.url}/v1`;
        const network = net.openaiBaseUrl;
        await load(direct, 4, 0.3);
        await load(network, 4, 0.3);
        const rows: OverheadRow[] = [];
        for (const c of o.concurrency) {
            log(`proxy overhead: ${c} concurrent streams, ${o.seconds} s per path`);
            rows.push({ concurrency: c, direct: await load(direct, c, o.seconds), network: await load(network, c, o.seconds) });
        }
        return rows;
    } finally {
        await net.stop();
        await engine.stop();
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
