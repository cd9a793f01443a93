import http from 'http';
import { AddressInfo } from 'net';
import { ChainApiError, ChainUnavailableError } from '../../offchain/chain/errors';
import { JsonRpcTransport } from '../../offchain/chain/transport';

type Handler = (body: any, headers: http.IncomingHttpHeaders) => { status: number; body: string } | 'hang' | 'drop';

/** A scripted JSON-RPC server on 127.0.0.1 that records what it receives. */
async function fakeServer(handler: Handler) {
    const calls: { body: any; headers: http.IncomingHttpHeaders }[] = [];
    const server = http.createServer((req, res) => {
        let text = '';
        req.on('data', (d) => (text += d));
        req.on('end', () => {
            const body = JSON.parse(text);
            calls.push({ body, headers: req.headers });
            const r = handler(body, req.headers);
            if (r === 'hang') return;
            if (r === 'drop') return req.socket.destroy();
            res.writeHead(r.status, { 'Content-Type': 'application/json' });
            res.end(r.body);
        });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/jsonRPC`;
    return { url, calls, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

const ok = (result: unknown) => ({ status: 200, body: JSON.stringify({ ok: true, result }) });

describe('JsonRpcTransport', () => {
    const servers: { close: () => Promise<void> }[] = [];
    afterEach(async () => {
        await Promise.all(servers.splice(0).map((s) => s.close()));
    });
    const serve = async (h: Handler) => {
        const s = await fakeServer(h);
        servers.push(s);
        return s;
    };

    it('sends toncenter JSON-RPC with the API key and returns the result', async () => {
        const s = await serve(() => ok('42'));
        const t = new JsonRpcTransport({ endpoints: [{ url: s.url, apiKey: 'secret-key' }] });
        expect(await t.call('getAddressBalance', { address: 'x' })).toBe('42');
        expect(s.calls[0].body).toEqual({ id: 1, jsonrpc: '2.0', method: 'getAddressBalance', params: { address: 'x' } });
        expect(s.calls[0].headers['x-api-key']).toBe('secret-key');
    });

    it('fails over to the next endpoint on 503, dropped connections and timeouts, with exponential backoff', async () => {
        const down = await serve(() => ({ status: 503, body: JSON.stringify({ ok: false, error: 'busy', code: 503 }) }));
        const dropping = await serve(() => 'drop');
        const hanging = await serve(() => 'hang');
        const good = await serve(() => ok('fine'));
        const sleeps: number[] = [];
        const t = new JsonRpcTransport({
            endpoints: [down.url, dropping.url, hanging.url, good.url],
            timeoutMs: 1000,
            backoffMs: 10,
            sleep: async (ms) => void sleeps.push(ms),
        });
        expect(await t.call('getMasterchainInfo', {})).toBe('fine');
        expect(sleeps).toEqual([10, 20, 40]);
        expect([down, dropping, hanging, good].map((s) => s.calls.length)).toEqual([1, 1, 1, 1]);
        // the working endpoint stays current
        await t.call('getMasterchainInfo', {});
        expect(good.calls.length).toBe(2);
        expect(t.endpoint.url).toBe(good.url);
    });

    it('does not retry a definite error answer', async () => {
        const s = await serve(() => ({ status: 416, body: JSON.stringify({ ok: false, error: 'Incorrect address', code: 416 }) }));
        const t = new JsonRpcTransport({ endpoints: [s.url, s.url], sleep: async () => {} });
        const err = (await t.call('getAddressBalance', { address: 'bad' }).catch((e: unknown) => e)) as ChainApiError;
        expect(err).toBeInstanceOf(ChainApiError);
        expect(err.code).toBe(416);
        expect(err.message).toBe(`getAddressBalance failed at ${s.url}: 416 Incorrect address`);
        expect(s.calls.length).toBe(1);
    });

    it('retries a liteserver timeout reported as 500, but not other 500s', async () => {
        let n = 0;
        const s = await serve(() => (++n === 1 ? { status: 500, body: JSON.stringify({ ok: false, error: 'LITE_SERVER_NETWORK: timeout', code: 500 }) } : ok(n)));
        const t = new JsonRpcTransport({ endpoints: [s.url], sleep: async () => {} });
        expect(await t.call('getMasterchainInfo', {})).toBe(2);
        const rejecting = await serve(() => ({ status: 500, body: JSON.stringify({ ok: false, error: 'LITE_SERVER_UNKNOWN: cannot apply external message', code: 500 }) }));
        const t2 = new JsonRpcTransport({ endpoints: [rejecting.url], sleep: async () => {} });
        await expect(t2.call('sendBoc', {})).rejects.toBeInstanceOf(ChainApiError);
        expect(rejecting.calls.length).toBe(1);
    });

    it('gives up after its attempts with ChainUnavailableError naming the last failure', async () => {
        const s = await serve(() => ({ status: 429, body: JSON.stringify({ ok: false, error: 'Ratelimit exceed', code: 429 }) }));
        const t = new JsonRpcTransport({ endpoints: [s.url], attempts: 3, sleep: async () => {} });
        const err = (await t.call('getMasterchainInfo', {}).catch((e: unknown) => e)) as ChainUnavailableError;
        expect(err).toBeInstanceOf(ChainUnavailableError);
        expect(err.message).toBe(`getMasterchainInfo: no endpoint answered after 3 attempts (last error: ${s.url}: 429 Ratelimit exceed)`);
        expect(s.calls.length).toBe(3);
    });

    it('rejects an empty endpoint list and a bad URL at construction', () => {
        expect(() => new JsonRpcTransport({ endpoints: [] })).toThrow('at least one endpoint is required');
        expect(() => new JsonRpcTransport({ endpoints: ['not a url'] })).toThrow("endpoint 'not a url' is not a valid URL");
    });
});
