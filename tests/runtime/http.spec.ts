import { createServer, IncomingMessage, request, Server } from 'http';
import { AddressInfo } from 'net';
import { bearerToken, HttpError, readJsonBody, sendError, sendJson, tokensEqual } from '../../offchain/runtime';

/** A server that answers with what readJsonBody made of the request, and records it. */
async function bodyServer(maxBytes: number) {
    const outcomes: unknown[] = [];
    const server = createServer((req, res) => {
        readJsonBody(req, maxBytes).then(
            (body) => {
                outcomes.push({ body });
                sendJson(res, 200, { body });
            },
            (err: unknown) => {
                outcomes.push(err);
                sendError(res, err);
            },
        );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { server, outcomes, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function close(server: Server) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
}

describe('readJsonBody', () => {
    let s: Awaited<ReturnType<typeof bodyServer>>;
    beforeAll(async () => {
        s = await bodyServer(64);
    });
    afterAll(() => close(s.server));

    it('parses a JSON body', async () => {
        const res = await fetch(s.url, { method: 'POST', body: JSON.stringify({ a: [1, 'x'] }) });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ body: { a: [1, 'x'] } });
    });

    it('refuses a too-large Content-Length with 413 before reading, and closes the connection', async () => {
        const res = await fetch(s.url, { method: 'POST', body: 'x'.repeat(65) });
        expect(res.status).toBe(413);
        expect(res.headers.get('connection')).toBe('close');
        expect(await res.json()).toEqual({ error: 'request body exceeds 64 bytes' });
    });

    it('counts a chunked body as it arrives', async () => {
        const chunks = new ReadableStream({
            start(c) {
                for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(10)));
                c.close();
            },
        });
        const res = await fetch(s.url, { method: 'POST', body: chunks, duplex: 'half' } as RequestInit);
        expect(res.status).toBe(413);
    });

    it('answers 400 for invalid JSON and an empty body', async () => {
        const bad = await fetch(s.url, { method: 'POST', body: '{"a":' });
        expect(bad.status).toBe(400);
        expect(await bad.json()).toEqual({ error: 'request body is not valid JSON' });
        const empty = await fetch(s.url, { method: 'POST' });
        expect(empty.status).toBe(400);
        expect(await empty.json()).toEqual({ error: 'request body is empty' });
    });

    it('rejects with HttpError 400 when the client goes away mid-body', async () => {
        const before = s.outcomes.length;
        const { port } = s.server.address() as AddressInfo;
        const req = request({ port, host: '127.0.0.1', method: 'POST', headers: { 'content-length': '50' } });
        req.on('error', () => {});
        req.write('{"partial":');
        await new Promise((r) => setTimeout(r, 50));
        req.destroy();
        for (let i = 0; i < 50 && s.outcomes.length === before; i++) await new Promise((r) => setTimeout(r, 10));
        expect(s.outcomes[before]).toEqual(new HttpError(400, 'request aborted'));
        expect((s.outcomes[before] as HttpError).status).toBe(400);
    });
});

describe('sendJson and sendError', () => {
    it('writes bigints as strings; hides the message of non-HTTP errors', async () => {
        const server = createServer((req, res) => {
            if (req.url === '/ok') sendJson(res, 201, { n: 2n ** 70n });
            else sendError(res, new Error('secret internals'));
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        try {
            const ok = await fetch(`${url}/ok`);
            expect(ok.status).toBe(201);
            expect(await ok.text()).toBe('{"n":"1180591620717411303424"}');
            const failed = await fetch(`${url}/fail`);
            expect(failed.status).toBe(500);
            expect(await failed.json()).toEqual({ error: 'internal error' });
        } finally {
            await close(server);
        }
    });
});

describe('bearerToken', () => {
    const req = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;

    it('takes the token of a Bearer header, scheme in any case', () => {
        expect(bearerToken(req('Bearer abc.def'))).toBe('abc.def');
        expect(bearerToken(req('bearer   abc '))).toBe('abc');
    });

    it('finds none in other headers', () => {
        expect(bearerToken(req())).toBeUndefined();
        expect(bearerToken(req('Basic dXNlcjpwYXNz'))).toBeUndefined();
        expect(bearerToken(req('Bearer'))).toBeUndefined();
        expect(bearerToken(req('Bearer a b'))).toBeUndefined();
    });
});

describe('tokensEqual', () => {
    it('compares tokens of any lengths', () => {
        expect(tokensEqual('s3cret', 's3cret')).toBe(true);
        expect(tokensEqual('s3cret', 's3creT')).toBe(false);
        expect(tokensEqual('s3cret', 's3cret-longer')).toBe(false);
    });

    it('never matches an empty token', () => {
        expect(tokensEqual('', '')).toBe(false);
        expect(tokensEqual('', 'x')).toBe(false);
    });
});
