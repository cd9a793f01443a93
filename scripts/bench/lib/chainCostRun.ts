// The real local network (in-process devnet, test engine, proxy, worker, client) under load at the proxy's default
// settlement thresholds and save-state cadence: every transaction the services cause in the measured span, by flow
// and by account, and the value of the requests served.
import type { Address } from '@ton/core';
import type { CocoonParams } from '../../../wrappers/params';
import { LOCAL_PRICES, startNetwork } from '../../../offchain/cli/up/network';
import { proxyConfigSchema } from '../../../offchain/proxy/config';
import { clientConfigSchema } from '../../../offchain/client/config';
import type { ConfigSchema } from '../../../offchain/runtime';
import { FlowTally, tallyFlows } from './chainFlows';
import { HTTP_STATUS } from '../../../offchain/protocol';

type SchemaNode = { properties?: Record<string, SchemaNode>; default?: unknown };
const defaultOf = (schema: ConfigSchema, ...path: string[]): number => Number(path.reduce((n: SchemaNode, k) => n.properties![k], schema as SchemaNode).default);

/** The services' defaults: the proxy's save-state interval (`cocoon up` shortens it to 10 s) and thresholds, the client's top-up. */
export const DEFAULTS = {
    saveStateSeconds: defaultOf(proxyConfigSchema, 'saveStateSeconds'),
    chargeTon: defaultOf(proxyConfigSchema, 'thresholds', 'chargeTon'),
    payoutTon: defaultOf(proxyConfigSchema, 'thresholds', 'payoutTon'),
    topUpTon: defaultOf(clientConfigSchema, 'deposit', 'topUpTon'),
};

export interface ChainRunOptions {
    /** Seconds of load after the warm-up. */
    seconds: number;
    /** Load goes on past `seconds` until each of these flows happened, up to `maxSeconds` in all. */
    untilFlows?: string[];
    maxSeconds?: number;
    concurrency: number;
    /** Words of the prompt (one word is one token) and tokens of the answer: the request's size. */
    promptTokens: number;
    completionTokens: number;
    saveStateSeconds: number;
    params?: Partial<CocoonParams>;
    log: (line: string) => void;
}

export interface ChainRun {
    concurrency: number;
    saveStateSeconds: number;
    requests: number;
    /** Requests refused for credit (used up until the next charge) and retried; they cost nothing. */
    refused: number;
    seconds: number;
    tokens: bigint;
    /** nanoTON: tokens × price per token (all multipliers ×1), what the client owes for the requests served. */
    served: bigint;
    pricePerToken: bigint;
    workerFeePerToken: bigint;
    flows: FlowTally[];
    /** Transactions of the span by account (proxy/client/worker wallet and contract, other). */
    accounts: Map<string, number>;
}

/** One chat completion; `ok: false` when refused for credit. */
async function complete(url: string, prompt: string, maxTokens: number): Promise<{ ok: boolean; tokens: number }> {
    const res = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: prompt }], max_tokens: maxTokens }),
    });
    const text = await res.text();
    // 402: the client's credit (its stake beyond what is charged) is used up until its next charge lands
    if (res.status === HTTP_STATUS.insufficient_credit) return { ok: false, tokens: 0 };
    if (res.status !== 200) throw new Error(`chain cost: a request failed with HTTP ${res.status}: ${text.slice(0, 200)}`);
    return { ok: true, tokens: (JSON.parse(text) as { usage: { total_tokens: number } }).usage.total_tokens };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChainCost(o: ChainRunOptions): Promise<ChainRun> {
    const prices = { ...LOCAL_PRICES, ...o.params };
    o.log(`chain cost: starting the local network (save-state every ${o.saveStateSeconds} s, default thresholds)`);
    const net = await startNetwork({ clientPort: 0, progress: () => {}, logSink: () => {}, saveStateSeconds: o.saveStateSeconds, params: o.params });
    try {
        const devnet = net.devnet!;
        // "#length=N" makes the test engine answer exactly N tokens; the directive is one of the prompt's words
        const prompt = ['#length=' + o.completionTokens, ...Array.from({ length: o.promptTokens - 1 }, (_, i) => `w${i % 97}`)].join(' ');
        const first = await complete(net.openaiBaseUrl, prompt, o.completionTokens);
        if (!first.ok) throw new Error('chain cost: the first request through the local network failed');
        const names = new Map<string, string>();
        const name = (a: Address, n: string) => names.set(a.toRawString(), n);
        name(net.proxy.walletAddress, 'proxy wallet');
        name(net.worker.walletAddress, 'worker wallet');
        name(net.proxyContract, 'proxy contract');
        name(net.clientContract, 'client contract');
        name(net.workerContract, 'worker contract');
        // the client's wallet is the one other account that receives external messages
        const startAt = devnet.ledger.store.size;

        o.log(`chain cost: ${o.concurrency} clients sending ${o.promptTokens + o.completionTokens}-token requests for ${o.seconds} s`);
        let requests = 0;
        let refused = 0;
        let tokens = 0n;
        const started = performance.now();
        const until = started + o.seconds * 1000;
        const hardUntil = started + (o.maxSeconds ?? o.seconds) * 1000;
        const missing = () => {
            const seen = new Set(tallyFlows(devnet.ledger.store.range(startAt), names).flows.map((f) => f.flow));
            return (o.untilFlows ?? []).some((f) => !seen.has(f));
        };
        const going = () => performance.now() < until || (performance.now() < hardUntil && missing());
        await Promise.all(
            Array.from({ length: o.concurrency }, async () => {
                while (going()) {
                    const r = await complete(net.openaiBaseUrl, prompt, o.completionTokens);
                    if (r.ok) {
                        requests++;
                        tokens += BigInt(r.tokens);
                    } else {
                        refused++;
                        await sleep(100);
                    }
                }
            }),
        );
        const seconds = (performance.now() - started) / 1000;
        const span = devnet.ledger.store.range(startAt);
        for (const rec of span) {
            if (!names.has(rec.address.toRawString()) && rec.tx.inMessage?.info.type === 'external-in') name(rec.address, 'client wallet');
        }
        const { flows, accounts } = tallyFlows(span, names);
        return { concurrency: o.concurrency, saveStateSeconds: o.saveStateSeconds, requests, refused, seconds, tokens, served: tokens * prices.pricePerToken, pricePerToken: prices.pricePerToken, workerFeePerToken: prices.workerFeePerToken, flows, accounts };
    } finally {
        await net.stop();
    }
}
