import http from 'http';
import { Devnet } from '../../offchain/devnet';
import { rawCall, startTestDevnet } from './helpers';

const LIMIT = 16 * 1024 * 1024;
const TOO_LARGE = { ok: false, error: `Request body too large (limit ${LIMIT} bytes)`, code: 413 };

interface Raw {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: unknown;
    /** Whether the server invited the body with `100 Continue`. */
    continued: boolean;
}

/** A POST whose body is written by `send` (which may write less or more than Content-Length says). */
function post(url: string, headers: http.OutgoingHttpHeaders, send: (req: http.ClientRequest) => void): Promise<Raw> {
    return new Promise((resolve, reject) => {
        let continued = false;
        const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } });
        req.on('continue', () => (continued = true));
        req.on('response', (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text), continued }));
        });
        req.on('error', reject);
        send(req);
    });
}

describe('devnet HTTP: size limit, disconnects and error shapes', () => {
    let devnet: Devnet;
    let logs: string[];

    beforeAll(async () => {
        ({ devnet, logs } = await startTestDevnet());
    });
    afterAll(() => devnet.stop());

    it('answers 413 from Content-Length alone, before the body, and closes the connection', async () => {
        const r = await post(devnet.endpoint, { 'Content-Length': LIMIT + 1 }, (req) => req.write('{"id": 1, '));
        expect([r.status, r.body, r.headers.connection]).toEqual([413, { ...TOO_LARGE, jsonrpc: '2.0', id: null }, 'close']);
        const faucet = await post(devnet.faucetUrl, { 'Content-Length': 200 * 1024 * 1024 }, (req) => req.write('{'));
        expect([faucet.status, faucet.body]).toEqual([413, TOO_LARGE]);
    });

    it('answers 413 instead of 100 Continue to an oversized body announced with Expect: 100-continue', async () => {
        const big = await post(devnet.endpoint, { 'Content-Length': LIMIT + 1, Expect: '100-continue' }, (req) => req.flushHeaders());
        expect([big.status, big.continued, big.body]).toEqual([413, false, { ...TOO_LARGE, jsonrpc: '2.0', id: null }]);
        const body = JSON.stringify({ id: 7, jsonrpc: '2.0', method: 'getMasterchainInfo', params: {} });
        const small = await post(devnet.endpoint, { 'Content-Length': Buffer.byteLength(body), Expect: '100-continue' }, (req) => {
            req.flushHeaders();
            req.once('continue', () => req.end(body));
        });
        expect([small.status, small.continued, (small.body as { id: number }).id]).toEqual([200, true, 7]);
    });

    it('answers 413 to a chunked body once it passes the limit', async () => {
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        const r = await post(devnet.endpoint, { 'Transfer-Encoding': 'chunked' }, (req) => {
            let sent = 0;
            const more = () => {
                while (sent <= LIMIT && !req.destroyed) {
                    sent += chunk.length;
                    if (!req.write(chunk)) return void req.once('drain', more);
                }
            };
            req.on('error', () => {}); // the server may close while the last chunks are in flight
            more();
        });
        expect([r.status, r.body]).toEqual([413, { ...TOO_LARGE, jsonrpc: '2.0', id: null }]);
    });

    it('logs a client that disconnects mid-body in one line, not as an internal error', async () => {
        const before = logs.length;
        await new Promise<void>((resolve) => {
            const req = http.request(devnet.endpoint, { method: 'POST', headers: { 'Content-Length': 1000 } });
            req.on('error', () => resolve());
            req.write('{"id": 1, "method": ');
            setTimeout(() => req.destroy(), 50);
        });
        for (let i = 0; i < 100 && logs.length === before; i++) await new Promise((r) => setTimeout(r, 10));
        expect(logs.slice(before)).toEqual(['devnet: client disconnected before sending the whole request (POST /api/v2/jsonRPC)']);
    });

    it('JSON-RPC errors before a call is read carry jsonrpc "2.0" and id null', async () => {
        const bad = await rawCall(devnet.endpoint, { method: 'POST', body: '{"method": ' });
        expect(bad).toEqual({ status: 422, body: { ok: false, error: 'Validation error: request body is not valid JSON', code: 422, jsonrpc: '2.0', id: null } });
        expect(await rawCall(devnet.endpoint)).toEqual({ status: 405, body: { ok: false, error: 'Method Not Allowed', code: 405, jsonrpc: '2.0', id: null } });
        const notObject = await rawCall(devnet.endpoint, { method: 'POST', body: '[1]' });
        expect(notObject.body).toEqual({ ok: false, error: 'Validation error: request must be a JSON object', code: 422, jsonrpc: '2.0', id: null });
    });

    it('the faucet takes workchain 0 or -1 only, and an amount in digits only', async () => {
        const f = async (body: unknown) => (await rawCall(devnet.faucetUrl, { method: 'POST', body: JSON.stringify(body) })).body.error;
        const a = '0:' + '05'.repeat(32);
        expect(await f({ address: '7:' + '05'.repeat(32), amount: '1' })).toBe("Validation error: field 'address' must be in workchain 0 or -1, not 7");
        for (const amount of [' 5', '5 ', '+5', '-5', '5.0', '1e3', 5.5, -1, '']) {
            expect([amount, await f({ address: a, amount })]).toEqual([
                amount,
                amount === '' ? "Validation error: field 'amount' is required" : "Validation error: field 'amount' must be a whole number in digits only",
            ]);
        }
        const ok = await rawCall(devnet.faucetUrl, { method: 'POST', body: JSON.stringify({ address: '-1:' + '05'.repeat(32), amount: 5 }) });
        expect([ok.status, ok.body.result.amount]).toEqual([200, '5']);
    });

    it('a 600-digit num is refused without being echoed back', async () => {
        const num = '9'.repeat(600);
        const r = await rawCall(devnet.endpoint, {
            method: 'POST',
            body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'runGetMethod', params: { address: '0:' + '05'.repeat(32), method: 'seqno', stack: [['num', num]] } }),
        });
        expect(r).toEqual({
            status: 422,
            body: { ok: false, error: "Validation error: stack entry 0: '99999999999999999999… (600 characters)' does not fit in a 257-bit TVM integer", code: 422, jsonrpc: '2.0', id: 1 },
        });
    });
});
