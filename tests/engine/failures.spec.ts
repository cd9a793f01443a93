import http from 'http';
import { TestEngine } from '../../offchain/engine';
import { chat, post, postJson, sseData } from './helpers';

/** Reads a response with Node's http (fetch hides a connection reset behind a generic error). */
function rawPost(engine: TestEngine, path: string, body: unknown): Promise<{ status?: number; text: string; error?: string }> {
    return new Promise((resolve) => {
        let text = '';
        let status: number | undefined;
        const req = http.request(engine.url + path, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
            status = res.statusCode;
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status, text }));
            res.on('error', (e) => resolve({ status, text, error: e.message }));
        });
        req.on('error', (e) => resolve({ status, text, error: e.message }));
        req.end(JSON.stringify(body));
    });
}

describe('test engine: injected failures and delays', () => {
    let engine: TestEngine;

    beforeEach(async () => {
        engine = await TestEngine.start({ model: 'm' });
    });
    afterEach(() => engine.stop());

    it('fails before the first token with an OpenAI-shaped 500', async () => {
        engine.behave({ failBeforeFirstToken: true });
        for (const stream of [false, true]) {
            const res = await postJson(engine, '/v1/chat/completions', { ...chat('x'), model: 'm', stream });
            expect(res.status).toBe(500);
            expect(res.json.error).toMatchObject({ type: 'InternalServerError', code: 500, param: null });
        }
        expect(engine.requests).toHaveLength(2);
    });

    it('refuses with 503 while refuse is set, and serves again after', async () => {
        engine.behave({ refuse: true });
        const res = await postJson(engine, '/v1/completions', { prompt: 'x' });
        expect(res.status).toBe(503);
        expect(res.json.error.code).toBe(503);
        engine.behave({ refuse: false });
        expect((await postJson(engine, '/v1/completions', { prompt: 'x' })).status).toBe(200);
    });

    it('reports down on GET /v1/models while completions keep working', async () => {
        engine.behave({ down: true });
        const res = await fetch(engine.url + '/v1/models');
        expect(res.status).toBe(503);
        expect(((await res.json()) as { error: { code: number } }).error.code).toBe(503);
        engine.behave({ down: false });
        expect((await fetch(engine.url + '/v1/models')).status).toBe(200);
    });

    it('cuts a stream after N content events without [DONE]', async () => {
        engine.behave({ failAfterTokens: 2 });
        const res = await rawPost(engine, '/v1/chat/completions', { ...chat('x'), model: 'm', stream: true, max_tokens: 10 });
        expect(res.status).toBe(200);
        expect(res.error).toBeDefined();
        const events = sseData(res.text).map((d) => JSON.parse(d));
        expect(events).toHaveLength(3); // role + 2 words
        expect(events.filter((e) => e.choices[0].delta.content)).toHaveLength(2);
        const cmpl = await rawPost(engine, '/v1/completions', { prompt: 'x', stream: true, max_tokens: 10 });
        expect(sseData(cmpl.text)).toHaveLength(2);
        expect(cmpl.error).toBeDefined();
    });

    it('drops the connection of a non-streamed request when failAfterTokens is set', async () => {
        engine.behave({ failAfterTokens: 0 });
        const res = await rawPost(engine, '/v1/completions', { prompt: 'x' });
        expect(res.status).toBeUndefined();
        expect(res.error).toMatch(/socket hang up|ECONNRESET/);
    });

    it('delays the first token and each following one', async () => {
        engine.behave({ firstTokenDelayMs: 150, tokenDelayMs: 30 });
        let started = Date.now();
        await post(engine, '/v1/completions', { prompt: 'x', max_tokens: 4 });
        expect(Date.now() - started).toBeGreaterThanOrEqual(150 + 3 * 30 - 5);

        started = Date.now();
        const res = await fetch(engine.url + '/v1/completions', { method: 'POST', body: JSON.stringify({ prompt: 'x', max_tokens: 4, stream: true }) });
        expect(res.status).toBe(200);
        expect(Date.now() - started).toBeLessThan(140); // headers come before the first token
        await res.text();
        expect(Date.now() - started).toBeGreaterThanOrEqual(150 + 3 * 30 - 5);
    });

    it('starts with tokenDelayMs from the options', async () => {
        await engine.stop();
        engine = await TestEngine.start({ tokenDelayMs: 40 });
        const started = Date.now();
        await post(engine, '/v1/completions', { prompt: 'x', max_tokens: 3 });
        expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 40 - 5);
    });
});
