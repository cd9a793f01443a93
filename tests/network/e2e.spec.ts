import OpenAI from 'openai';
import { devnetSeed } from '../../offchain/chain/cocoon/keys';
import { readClientContract, readProxyContract, readWorkerContract } from '../../offchain/chain/cocoon/contracts';
import { LOCAL_PRICES, startNetwork, type LocalNetwork } from '../../offchain/cli/up/network';
import { adjustUsage, type Prices, type Receipt } from '../../offchain/protocol';

/** Token classes priced apart (×1, ×0.25, ×2, ×0.5) and a worker at ×1.5, so the adjustment shows in every figure. */
const MULTIPLIERS = { promptTokensPriceMultiplier: 10000, cachedTokensPriceMultiplier: 2500, completionTokensPriceMultiplier: 20000, reasoningTokensPriceMultiplier: 5000 };
const COEFFICIENT = 1500;
const prices: Prices = {
    ...LOCAL_PRICES,
    promptMultiplier: MULTIPLIERS.promptTokensPriceMultiplier,
    cachedMultiplier: MULTIPLIERS.cachedTokensPriceMultiplier,
    completionMultiplier: MULTIPLIERS.completionTokensPriceMultiplier,
    reasoningMultiplier: MULTIPLIERS.reasoningTokensPriceMultiplier,
};

/** Engine usage (OpenAI shape) → what the proxy must charge for it at the worker's coefficient. */
function expectedTokens(u: OpenAI.CompletionUsage) {
    return adjustUsage(
        {
            promptTokens: u.prompt_tokens,
            cachedTokens: u.prompt_tokens_details?.cached_tokens ?? 0,
            completionTokens: u.completion_tokens,
            reasoningTokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
        },
        COEFFICIENT,
        prices,
    );
}

/**
 * The whole network on the devnet, driven through the official `openai` package against the client's HTTP API, and
 * settled on-chain: the contracts end where the receipts say, to the nanoTON.
 */
describe('the running network, end to end', () => {
    let net: LocalNetwork;
    let openai: OpenAI;
    let depositBefore: bigint;
    let earningsBefore: bigint;
    const logs: string[] = [];

    beforeAll(async () => {
        net = await startNetwork({
            clientPort: 0,
            progress: () => {},
            logSink: (l) => logs.push(l),
            saveStateSeconds: 2,
            params: MULTIPLIERS,
            workerCoefficient: COEFFICIENT,
            // 10 tokens' worth: the proxy charges and pays by itself as soon as usage is confirmed on-chain
            thresholds: { chargeTon: 0.00001, payoutTon: 0.00001 },
        });
        openai = new OpenAI({ baseURL: net.openaiBaseUrl, apiKey: 'unused', maxRetries: 0 });
        depositBefore = (await readClientContract(net.chain, net.clientContract)).balance;
        earningsBefore = (await readProxyContract(net.chain, net.proxyContract)).balance;
    }, 120_000);
    afterAll(() => net?.stop());

    it('lists the model with its worker and prices', async () => {
        const list = await openai.models.list();
        expect(list.data.map((m) => m.id)).toEqual(['test-model']);
        expect(list.data[0]).toMatchObject({ id: 'test-model', object: 'model', price_per_token: '1000', worker_fee_per_token: '800' });
        expect((list.data[0] as unknown as { workers: { coefficient: number }[] }).workers.map((w) => w.coefficient)).toEqual([COEFFICIENT]);
    });

    it('answers a non-streaming chat and charges exactly its usage', async () => {
        const r = await openai.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'one two three #cached=2' }], max_tokens: 7 });
        expect(r.choices[0].message.content!.split(' ')).toHaveLength(7);
        expect(r.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 7 });
        expect(r.usage!.prompt_tokens_details?.cached_tokens).toBe(2);
        const receipt = lastReceipt();
        // prompt (4−2)×1.5 = 3, cached 2×1.5×0.25 = 0 (0.75), completion 7×1.5×2 = 21
        expect(receipt.tokens).toEqual({ prompt: 3, cached: 0, completion: 21, reasoning: 0, total: 24 });
        expect(receipt.tokens).toEqual(expectedTokens(r.usage!));
        expect(receipt.coefficient).toBe(COEFFICIENT);
        expect(BigInt(receipt.cost)).toBe(BigInt(receipt.tokens.total) * LOCAL_PRICES.pricePerToken);
    });

    it('streams a chat with usage, including reasoning tokens', async () => {
        const stream = await openai.chat.completions.create({
            model: 'test-model',
            messages: [{ role: 'user', content: 'think first #reasoning=3' }],
            max_tokens: 9,
            stream: true,
            stream_options: { include_usage: true },
        });
        let text = '';
        let usage: OpenAI.CompletionUsage | undefined;
        for await (const chunk of stream) {
            text += chunk.choices[0]?.delta?.content ?? '';
            if (chunk.usage) usage = chunk.usage;
        }
        expect(text.trim().split(' ')).toHaveLength(6);
        expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 9 });
        expect(usage!.completion_tokens_details?.reasoning_tokens).toBe(3);
        expect(lastReceipt().tokens).toEqual(expectedTokens(usage!));
    });

    it('serves legacy completions', async () => {
        const r = await openai.completions.create({ model: 'test-model', prompt: 'alpha beta', max_tokens: 5 });
        expect(r.choices[0].text.trim().split(' ')).toHaveLength(5);
        expect(lastReceipt().tokens).toEqual(expectedTokens(r.usage!));
    });

    it('passes tools and seed through to the engine', async () => {
        const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
        const r = await openai.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'use a tool' }], tools, tool_choice: 'auto' });
        expect(r.choices[0].finish_reason).toBe('tool_calls');
        expect(r.choices[0].message.tool_calls![0]).toMatchObject({ type: 'function', function: { name: 'lookup', arguments: '{}' } });
        const seeded = (seed: number) =>
            openai.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'same prompt' }], seed, max_tokens: 8 });
        const [a, b, c] = [await seeded(1), await seeded(1), await seeded(2)];
        expect(a.choices[0].message.content).toBe(b.choices[0].message.content);
        expect(a.choices[0].message.content).not.toBe(c.choices[0].message.content);
        const sent = net.engine!.requests.slice(-3).map((r) => (r.body as { seed: number }).seed);
        expect(sent).toEqual([1, 1, 2]);
    });

    it('multiplexes concurrent streams on the one proxy connection, each with its own receipt', async () => {
        const before = receipts().length;
        const texts = await Promise.all(
            Array.from({ length: 8 }, async (_, i) => {
                const stream = await openai.chat.completions.create({
                    model: 'test-model',
                    messages: [{ role: 'user', content: `stream number ${i}` }],
                    max_tokens: 6 + i,
                    stream: true,
                });
                let text = '';
                for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
                return text.trim().split(' ').length;
            }),
        );
        expect(texts).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
        const fresh = receipts().slice(before);
        expect(fresh).toHaveLength(8);
        expect(new Set(fresh.map((r) => r.requestId)).size).toBe(8);
        // completion (6 + i) × 1.5 × 2 and prompt 3 × 1.5 = 4 (4.5): every stream paid for exactly its own tokens
        expect(fresh.map((r) => r.tokens.total).sort((a, b) => a - b)).toEqual([22, 25, 28, 31, 34, 37, 40, 43]);
    });

    it('charges the client and pays the worker by itself once confirmed usage passes the thresholds', async () => {
        const accounted = BigInt(lastReceipt().clientTotal);
        const deadline = Date.now() + 30_000;
        for (;;) {
            const [client, worker] = [await readClientContract(net.chain, net.clientContract), await readWorkerContract(net.chain, net.workerContract)];
            if (client.tokensUsed > 0n && worker.tokens > 0n) {
                expect(client.tokensUsed).toBeLessThanOrEqual(accounted);
                expect(worker.tokens).toBeLessThanOrEqual(accounted);
                expect(client.balance).toBe(depositBefore - client.tokensUsed * LOCAL_PRICES.pricePerToken);
                break;
            }
            if (Date.now() > deadline) throw new Error(`no automatic settlement within 30 s: charged ${client.tokensUsed}, paid ${worker.tokens}`);
            await new Promise((r) => setTimeout(r, 250));
        }
    });

    it('refuses a request over the client\'s credit with 402 and charges nothing', async () => {
        const before = receipts().length;
        const err = await openai.chat.completions
            .create({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 9_000_000 })
            .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(OpenAI.APIError);
        expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
        expect(receipts()).toHaveLength(before);
    });

    it('answers malformed requests with 400 in OpenAI\'s shape', async () => {
        const res = await fetch(`${net.openaiBaseUrl}/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"model":' });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
        const bad = await openai.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' as unknown as number }).catch((e: unknown) => e);
        expect((bad as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
        expect((bad as Error).message).toContain('temperature');
    });

    it('settles on-chain exactly as the receipts say', async () => {
        const all = receipts();
        expect(all.length).toBe(15);
        const total = all.reduce((s, r) => s + BigInt(r.tokens.total), 0n);
        expect(BigInt(all[all.length - 1].clientTotal)).toBe(total);
        await net.proxy.settle();
        const client = await readClientContract(net.chain, net.clientContract);
        const worker = await readWorkerContract(net.chain, net.workerContract);
        const proxy = await readProxyContract(net.chain, net.proxyContract);
        expect(client.tokensUsed).toBe(total);
        expect(client.balance).toBe(depositBefore - total * LOCAL_PRICES.pricePerToken);
        expect(worker.tokens).toBe(total);
        expect(proxy.balance - earningsBefore).toBe(total * (LOCAL_PRICES.pricePerToken - LOCAL_PRICES.workerFeePerToken));
    });

    it('never logs a secret', () => {
        expect(logs.length).toBeGreaterThan(10);
        const secrets = ['proxy', 'worker', 'client'].map((r) => devnetSeed(`up-${r}`).toString('hex')).concat('local-network-client-secret');
        for (const secret of secrets) expect(logs.filter((l) => l.includes(secret))).toEqual([]);
    });

    function receipts(): Receipt[] {
        return net.client.client.receipts();
    }

    function lastReceipt(): Receipt {
        const all = receipts();
        return all[all.length - 1];
    }
});
