import http from 'http';
import { AddressInfo } from 'net';
import type { ProxyQuery, WorkerToProxy } from '../../offchain/protocol';
import { silentLogger } from '../../offchain/runtime';
import { EngineClient, runRequest } from '../../offchain/worker';

/** An engine that answers every request with `handler` (a misbehaving one, which the test engine never is). */
async function rawEngine(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
    const server = http.createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        engine: new EngineClient({ url, timeoutMs: 5000 }),
        close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
    };
}

const query = (body: unknown, maxTokens = 10): ProxyQuery => ({
    type: 'proxy.query',
    requestId: 'q1',
    path: '/v1/chat/completions',
    body: JSON.stringify(body),
    coefficient: 1000,
    maxTokens,
    timeoutMs: 5000,
});
const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true };
const event = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(engine: EngineClient, q: ProxyQuery): Promise<{ sent: WorkerToProxy[]; outcome: string }> {
    const sent: WorkerToProxy[] = [];
    const send = (m: WorkerToProxy) => (sent.push(m), true);
    const r = await runRequest(q, new AbortController().signal, { engine, model: 'm', engineTimeoutMs: 5000, send, log: silentLogger() });
    return { sent, outcome: r.outcome };
}

describe('runRequest', () => {
    it('never splits a UTF-8 character across parts, whatever the chunking', async () => {
        const text = event('é€😀') + event('ü') + 'data: [DONE]\n\n';
        const bytes = Buffer.from(text, 'utf8');
        const e = await rawEngine(async (req, res) => {
            req.resume();
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            // one byte at a time: every multibyte character arrives in pieces
            for (const b of bytes) {
                res.write(Buffer.from([b]));
                await sleep(1);
            }
            res.end();
        });
        try {
            const { sent, outcome } = await run(e.engine, query(chat));
            expect(outcome).toBe('ok');
            const parts = sent.filter((m) => m.type === 'answer.part').map((m) => (m as { data: string }).data);
            for (const p of parts) expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
            expect(parts.some((p) => p.includes('😀'))).toBe(true);
            expect(parts.join('')).toBe(text);
            expect(sent[sent.length - 1]).toEqual({
                type: 'answer.end',
                requestId: 'q1',
                usage: { promptTokens: 0, cachedTokens: 0, completionTokens: 2, reasoningTokens: 0 },
            });
        } finally {
            await e.close();
        }
    });

    it('holds a stream\'s head and its role delta until the first token, so the proxy times out an engine that hangs before it', async () => {
        const role = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] })}\n\n`;
        let release!: () => void;
        const firstToken = new Promise<void>((r) => (release = r));
        const e = await rawEngine(async (req, res) => {
            req.resume();
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.write(role);
            await firstToken;
            res.end(event('one') + 'data: [DONE]\n\n');
        });
        try {
            const sent: WorkerToProxy[] = [];
            const done = runRequest(query(chat), new AbortController().signal, {
                engine: e.engine,
                model: 'm',
                engineTimeoutMs: 5000,
                send: (m) => (sent.push(m), true),
                log: silentLogger(),
            });
            await sleep(300);
            expect(sent).toEqual([]);
            release();
            expect((await done).outcome).toBe('ok');
            expect(sent.map((m) => m.type)).toEqual(['answer.head', 'answer.part', 'answer.part', 'answer.end']);
            expect(sent.filter((m) => m.type === 'answer.part').map((m) => (m as { data: string }).data).join('')).toBe(role + event('one') + 'data: [DONE]\n\n');
        } finally {
            await e.close();
        }
    });

    it('reports a stream that fails before its first token as not started, so the proxy may retry it', async () => {
        const e = await rawEngine((req, res) => {
            req.resume();
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] })}\n\n`, () => res.socket?.destroy());
        });
        try {
            const { sent, outcome } = await run(e.engine, query(chat));
            expect(outcome).toBe('engine_error');
            expect(sent).toHaveLength(1);
            expect(sent[0]).toMatchObject({ type: 'answer.error', code: 'engine_error', started: false, usage: { promptTokens: 0, completionTokens: 0 } });
        } finally {
            await e.close();
        }
    });

    it('cuts a stream that runs past the reservation, drops the engine connection and caps the usage', async () => {
        let engineSawClose = false;
        const e = await rawEngine(async (req, res) => {
            req.resume();
            res.on('close', () => (engineSawClose = true));
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            // ignores its max_tokens and keeps generating
            for (let i = 0; i < 1000 && !res.destroyed; i++) {
                res.write(event(`w${i} `));
                await sleep(2);
            }
            res.end();
        });
        try {
            const { sent, outcome } = await run(e.engine, query(chat, 3));
            expect(outcome).toBe('cut');
            expect(sent[0]).toMatchObject({ type: 'answer.head', status: 200 });
            expect(sent[sent.length - 1]).toEqual({
                type: 'answer.end',
                requestId: 'q1',
                usage: { promptTokens: 0, cachedTokens: 0, completionTokens: 3, reasoningTokens: 0 },
            });
            await sleep(50);
            expect(engineSawClose).toBe(true);
        } finally {
            await e.close();
        }
    });

    it('reports an engine 5xx before any head as a retryable engine_error, quoting its message', async () => {
        const e = await rawEngine((req, res) => {
            req.resume();
            res.writeHead(503, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ error: { message: 'overloaded', type: 'ServiceUnavailableError' } }));
        });
        try {
            const { sent } = await run(e.engine, query(chat));
            expect(sent).toEqual([
                {
                    type: 'answer.error',
                    requestId: 'q1',
                    code: 'engine_error',
                    message: 'engine answered HTTP 503: overloaded',
                    status: 502,
                    started: false,
                },
            ]);
        } finally {
            await e.close();
        }
    });

    it('reports an unreachable engine as engine_error, not started', async () => {
        const e = await rawEngine(() => {});
        await e.close();
        const { sent } = await run(e.engine, query(chat));
        expect(sent).toEqual([expect.objectContaining({ type: 'answer.error', code: 'engine_error', status: 502, started: false })]);
    });
});
