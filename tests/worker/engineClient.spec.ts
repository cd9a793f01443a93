import http from 'http';
import { AddressInfo } from 'net';
import { gzipSync } from 'zlib';
import { TestEngine } from '../../offchain/engine';
import { EngineClient, EngineError } from '../../offchain/worker/engineClient';
import { UsageMeter } from '../../offchain/worker/meter';

const chatBody = (extra: Record<string, unknown> = {}) => ({ model: 'test-model', messages: [{ role: 'user', content: 'hello engine' }], ...extra });

async function collect(body: AsyncIterable<Buffer>): Promise<string> {
    const parts: Buffer[] = [];
    for await (const b of body) parts.push(b);
    return Buffer.concat(parts).toString('utf8');
}

async function caught(p: Promise<unknown>): Promise<unknown> {
    try {
        await p;
    } catch (e) {
        return e;
    }
    throw new Error('expected a rejection');
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > end) throw new Error('condition not reached');
        await new Promise((r) => setTimeout(r, 10));
    }
}

describe('EngineClient', () => {
    let engine: TestEngine;
    let client: EngineClient;

    beforeAll(async () => {
        engine = await TestEngine.start();
        client = new EngineClient({ url: engine.url + '/', timeoutMs: 2000, healthPollMs: 50 });
    });
    afterEach(() => {
        client.stop();
        engine.behave({ tokenDelayMs: 0, firstTokenDelayMs: null, failAfterTokens: null, down: false });
    });
    afterAll(() => engine.stop());

    it('forwards a JSON request and relays the answer without framing headers', async () => {
        const res = await client.forward('/v1/chat/completions', chatBody({ max_tokens: 3 }));
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toBe('application/json');
        for (const h of ['content-length', 'transfer-encoding', 'connection', 'keep-alive']) expect(res.headers[h]).toBeUndefined();
        const json = JSON.parse(await collect(res.body));
        expect(json.usage.completion_tokens).toBe(3);
        expect(engine.requests.at(-1)).toEqual({ path: '/v1/chat/completions', body: chatBody({ max_tokens: 3 }) });
    });

    it('streams SSE chunk by chunk into the meter', async () => {
        const res = await client.forward('/v1/chat/completions', chatBody({ max_tokens: 5, stream: true, stream_options: { include_usage: true } }));
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        expect(res.headers['transfer-encoding']).toBeUndefined();
        const meter = new UsageMeter({ stream: true });
        for await (const chunk of res.body) meter.push(chunk);
        meter.end();
        expect(meter.usage()).toEqual({ promptTokens: 2, cachedTokens: 0, completionTokens: 5, reasoningTokens: 0 });
        expect(meter.sawDone).toBe(true);
    });

    it('returns engine errors as answers, not exceptions', async () => {
        const res = await client.forward('/v1/chat/completions', chatBody({ model: 'other' }));
        expect(res.status).toBe(404);
        expect(JSON.parse(await collect(res.body)).error.code).toBe(404);
    });

    it('drops keep-alive and other hop-by-hop headers case-insensitively, keeps the rest', async () => {
        const server = http.createServer((_req, res) => {
            res.writeHead(200, { 'Keep-Alive': 'timeout=5', Connection: 'keep-alive', 'Content-Length': '2', 'X-Request-Id': 'abc' });
            res.end('{}');
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        try {
            const c = new EngineClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
            const res = await c.forward('/v1/completions', {});
            expect(res.headers['x-request-id']).toBe('abc');
            expect(Object.keys(res.headers).filter((h) => /^(keep-alive|connection|content-length|transfer-encoding)$/i.test(h))).toEqual([]);
            expect(await collect(res.body)).toBe('{}');
        } finally {
            server.closeAllConnections();
            server.close();
        }
    });

    it('asks for an uncompressed answer, decodes one compressed anyway, and reuses its connection', async () => {
        const seen: { encoding?: string; port: number }[] = [];
        const server = http.createServer((req, res) => {
            seen.push({ encoding: req.headers['accept-encoding'], port: req.socket.remotePort! });
            res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Content-Encoding': 'gzip' });
            res.end(gzipSync('data: {"x":1}\n\ndata: [DONE]\n\n'));
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        try {
            const c = new EngineClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
            for (let i = 0; i < 2; i++) {
                const res = await c.forward('/v1/chat/completions', {});
                expect(res.headers).toEqual(expect.not.objectContaining({ 'content-encoding': expect.anything() }));
                expect(await collect(res.body)).toBe('data: {"x":1}\n\ndata: [DONE]\n\n');
            }
            expect(seen.map((s) => s.encoding)).toEqual(['identity', 'identity']);
            expect(seen[1].port).toBe(seen[0].port);
        } finally {
            server.closeAllConnections();
            server.close();
        }
    });

    it('reports an engine that is not listening as unreachable', async () => {
        const closed = http.createServer();
        await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
        const port = (closed.address() as AddressInfo).port;
        await new Promise((r) => closed.close(r));
        const c = new EngineClient({ url: `http://127.0.0.1:${port}` });
        const e = await caught(c.forward('/v1/completions', { prompt: 'x' }));
        expect(e).toBeInstanceOf(EngineError);
        expect(e).toMatchObject({ kind: 'unreachable', message: expect.stringContaining('ECONNREFUSED') });
        expect(await caught(c.models())).toMatchObject({ kind: 'unreachable' });
    });

    it('times out waiting for the answer, and when a stream stalls', async () => {
        engine.behave({ firstTokenDelayMs: 400 });
        const started = Date.now();
        const e = await caught(client.forward('/v1/completions', { prompt: 'x', max_tokens: 1 }, { timeoutMs: 100 }));
        expect(e).toMatchObject({ kind: 'timeout', message: 'engine /v1/completions: no answer within 100 ms' });
        expect(Date.now() - started).toBeLessThan(380);

        engine.behave({ firstTokenDelayMs: 0, tokenDelayMs: 400 });
        const res = await client.forward('/v1/completions', { prompt: 'x', max_tokens: 3, stream: true }, { timeoutMs: 150 });
        expect(await caught(collect(res.body))).toMatchObject({ kind: 'timeout', message: 'engine /v1/completions: no data within 150 ms' });
    });

    it('does not count the consumer\'s own pauses as an engine stall', async () => {
        engine.behave({ tokenDelayMs: 20 }); // several chunks, each read well within the timeout
        const res = await client.forward('/v1/completions', { prompt: 'x', max_tokens: 3, stream: true }, { timeoutMs: 100 });
        let text = '';
        for await (const chunk of res.body) {
            text += chunk.toString();
            await new Promise((r) => setTimeout(r, 150));
        }
        expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    });

    it('reports a stream that breaks off as unreachable', async () => {
        engine.behave({ failAfterTokens: 2 });
        const res = await client.forward('/v1/chat/completions', chatBody({ max_tokens: 10, stream: true }));
        const meter = new UsageMeter({ stream: true });
        const e = await caught(
            (async () => {
                for await (const chunk of res.body) meter.push(chunk);
            })(),
        );
        expect(e).toBeInstanceOf(EngineError);
        expect(e).toMatchObject({ kind: 'unreachable' });
        meter.end();
        expect(meter.usage().completionTokens).toBe(2);
    });

    it('rethrows the caller\'s abort reason, before and during the body', async () => {
        const early = new AbortController();
        early.abort(new Error('client left'));
        expect(await caught(client.forward('/v1/completions', { prompt: 'x' }, { signal: early.signal }))).toMatchObject({ message: 'client left' });

        engine.behave({ tokenDelayMs: 50 });
        const late = new AbortController();
        const res = await client.forward('/v1/completions', { prompt: 'x', max_tokens: 100, stream: true }, { signal: late.signal });
        const e = await caught(
            (async () => {
                for await (const _ of res.body) late.abort(new Error('client left later'));
            })(),
        );
        expect(e).toMatchObject({ message: 'client left later' });
    });

    it('closes the engine connection when the consumer stops reading', async () => {
        let closed = false;
        const server = http.createServer((_req, res) => {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            const timer = setInterval(() => res.write('data: {}\n\n'), 10);
            res.on('close', () => {
                clearInterval(timer);
                closed = true;
            });
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        try {
            const c = new EngineClient({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
            const res = await c.forward('/v1/completions', {});
            let n = 0;
            for await (const _ of res.body) if (++n === 3) break;
            await until(() => closed);
        } finally {
            server.closeAllConnections();
            server.close();
        }
    });

    it('lists model ids, and reports a down engine as an http error', async () => {
        expect(await client.models()).toEqual(['test-model']);
        engine.behave({ down: true });
        const e = await caught(client.models());
        expect(e).toMatchObject({ kind: 'http', status: 503, message: 'engine /v1/models: HTTP 503' });
    });

    it('polls health, reporting the first outcome and then only changes', async () => {
        const changes: [boolean, string | undefined][] = [];
        expect(client.healthy).toBe(false);
        client.startHealth((healthy, reason) => changes.push([healthy, reason]));
        await until(() => changes.length === 1);
        expect(changes).toEqual([[true, undefined]]);
        expect(client.healthy).toBe(true);
        await new Promise((r) => setTimeout(r, 150)); // several polls, no change
        expect(changes).toHaveLength(1);

        engine.behave({ down: true });
        await until(() => changes.length === 2);
        expect(changes[1]).toEqual([false, 'engine /v1/models: HTTP 503']);
        expect(client.healthy).toBe(false);
        engine.behave({ down: false });
        await until(() => changes.length === 3);
        expect(changes[2]).toEqual([true, undefined]);

        client.stop();
        engine.behave({ down: true });
        await new Promise((r) => setTimeout(r, 150));
        expect(changes).toHaveLength(3);
    });

    it('reports an engine that stops answering as unhealthy', async () => {
        const other = await TestEngine.start();
        const c = new EngineClient({ url: other.url, healthPollMs: 50 });
        const changes: [boolean, string | undefined][] = [];
        try {
            c.startHealth((healthy, reason) => changes.push([healthy, reason]));
            await until(() => changes.length === 1);
            await other.stop();
            await until(() => changes.length === 2);
            expect(changes[1][0]).toBe(false);
            expect(changes[1][1]).toMatch(/^engine \/v1\/models: .*ECONNREFUSED/);
        } finally {
            c.stop();
        }
    });

    it('rejects an invalid url', () => {
        expect(() => new EngineClient({ url: 'not a url' })).toThrow(RangeError);
    });
});
