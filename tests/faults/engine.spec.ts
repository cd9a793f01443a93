import { expectBooksBalance, FaultNet, postChat, streamChat, streamedTokens } from './harness';

const FIRST_TOKEN_TIMEOUT_MS = 1500;

/**
 * Engine faults behind two workers (each its own test engine), the services as child processes. Every answer's
 * receipt is what the client keeps; the last test settles and checks the contracts against them to the nanoTON.
 */
describe('faults: the engine', () => {
    let net: FaultNet;
    let before: Awaited<ReturnType<FaultNet['onChain']>>;
    const [w0, w1] = [0, 1];

    beforeAll(async () => {
        net = await FaultNet.start({ name: 'engine', workers: 2, proxy: { firstTokenTimeoutMs: FIRST_TOKEN_TIMEOUT_MS } });
        before = await net.onChain();
    }, 180_000);
    afterAll(() => net?.stop());
    afterEach(() => {
        for (const e of net.engines) e.behave({ failBeforeFirstToken: false, failAfterTokens: null, firstTokenDelayMs: null });
    });

    const chat = (content: string, max: number) => postChat(net.api, content, max);
    const workerFigures = async (i: number) => {
        const status = await net.proxyStatus();
        return status.workers.find((w: { contract: string }) => w.contract === net.contracts.workers[i].toRawString()).reputation;
    };

    it('engine error before the first token: retried on the other worker; with both failing a 502 engine_error in OpenAI shape; never charged', async () => {
        net.engines[w0].behave({ failBeforeFirstToken: true });
        net.engines[w1].behave({ failBeforeFirstToken: true });
        const failed = await chat('both engines fail', 4);
        expect(failed.status).toBe(502);
        const body = (await failed.json()) as { error: { type: string; code: string; message: string } };
        expect(body.error).toMatchObject({ type: 'server_error', code: 'engine_error' });
        expect(body.error.message).toContain('engine answered HTTP 500');
        // one attempt on each worker (workerAttempts 2), no receipt kept
        expect(net.engines.map((e) => e.requests.length)).toEqual([1, 1]);
        expect(net.receipts()).toEqual([]);

        net.engines[w1].behave({ failBeforeFirstToken: false });
        for (let i = 0; i < 4; i++) {
            const ok = await chat(`retried elsewhere ${i}`, 4);
            expect(ok.status).toBe(200);
            expect(((await ok.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(4);
        }
        const receipts = net.receipts();
        expect(receipts).toHaveLength(4);
        // every answer came from worker 1, charged prompt 3 + completion 4
        expect(receipts.map((r) => [r.workerContract, r.tokens.total])).toEqual(Array(4).fill([net.contracts.workers[w1].toRawString(), 7]));
        const tried0 = net.engines[w0].requests.length - 1;
        expect(net.engines[w1].requests.length).toBe(1 + 4);
        const f0 = await workerFigures(w0);
        expect(f0.failures).toMatchObject({ engine_error: 1 + tried0 });
        expect(f0.successes ?? 0).toBe(0);
    });

    it('engine error mid-stream: an error event ends the stream after 3 tokens; charged exactly those 3, to the worker that made them', async () => {
        for (const e of net.engines) e.behave({ failAfterTokens: 3 });
        const { status, text } = await streamChat(net.api, 'cut short please', 10);
        expect(status).toBe(200);
        expect(streamedTokens(text)).toBe(3);
        expect(text).not.toContain('[DONE]');
        const error = /event: error\ndata: (.*)\n/.exec(text);
        expect(error).not.toBeNull();
        expect(JSON.parse(error![1]).error).toMatchObject({ type: 'server_error', code: 'engine_error' });
        const receipt = net.receipts().at(-1)!;
        // the engine reported no usage before failing: what was produced is 3 completion tokens, and no prompt
        expect(receipt.tokens).toEqual({ prompt: 0, cached: 0, completion: 3, reasoning: 0, total: 3 });
        expect(receipt.cost).toBe('3000');
        expect(net.receipts()).toHaveLength(5);
    });

    it(`engine that hangs: no first token within firstTokenTimeoutMs (${FIRST_TOKEN_TIMEOUT_MS} ms), so it is abandoned, the request retried on the other worker, and the hanging worker's reputation records a first_token_timeout`, async () => {
        const before0 = (await workerFigures(w0)).failures.first_token_timeout ?? 0;
        net.engines[w0].behave({ firstTokenDelayMs: 600_000 });
        net.engines[w1].behave({ firstTokenDelayMs: 600_000 });
        const started = Date.now();
        const hung = await streamChat(net.api, 'nobody answers', 5);
        // both workers hang (the engine's first token would come after 10 minutes): each abandoned after the timeout, the client told 504 before any byte
        expect(hung.status).toBe(504);
        expect(JSON.parse(hung.text).error).toMatchObject({ type: 'server_error', code: 'timeout' });
        expect(Date.now() - started).toBeGreaterThanOrEqual(2 * FIRST_TOKEN_TIMEOUT_MS);
        expect(net.receipts()).toHaveLength(5);

        net.engines[w1].behave({ firstTokenDelayMs: null });
        const receiptsBefore = net.receipts().length;
        let retried = 0;
        for (let i = 0; i < 3; i++) {
            const t0 = Date.now();
            const { status, text } = await streamChat(net.api, `hang then retry ${i}`, 5);
            expect(status).toBe(200);
            expect(streamedTokens(text)).toBe(5);
            if (Date.now() - t0 >= FIRST_TOKEN_TIMEOUT_MS) retried++;
        }
        const fresh = net.receipts().slice(receiptsBefore);
        expect(fresh.map((r) => [r.workerContract, r.tokens.total])).toEqual(Array(3).fill([net.contracts.workers[w1].toRawString(), 9]));
        const f0 = await workerFigures(w0);
        expect(f0.failures.first_token_timeout).toBe(before0 + 1 + retried);
        expect(f0.failures.first_token_timeout).toBeGreaterThan(before0);
    });

    it('settles: client charged, workers paid and the proxy kept exactly what the receipts say (4×7 + 3 + 3×9 = 58 tokens)', async () => {
        const total = await expectBooksBalance(net, before);
        expect(total).toBe(58n);
    });
});
