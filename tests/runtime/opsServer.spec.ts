import { createServer } from 'http';
import { createMetrics, handleOps, HealthReport, ListenError, memoryLogger, OpsServer, startOpsServer, STATUS_PAGE_CSP } from '../../offchain/runtime';

describe('startOpsServer', () => {
    let server: OpsServer;
    let health: HealthReport;
    let status: unknown;
    const metrics = createMetrics('cocoon_test');
    const requests = metrics.counter('requests_total', 'Requests handled', ['kind']);
    const log = memoryLogger();
    const fixedOps = { health: () => ({ ok: true }), status: () => ({}), metrics: metrics.registry };

    beforeAll(async () => {
        server = await startOpsServer({
            port: 0,
            ops: { health: async () => health, status: () => status, metrics: metrics.registry },
            log,
        });
    });
    afterAll(() => server.close());

    beforeEach(() => {
        health = { ok: true, chain: 'up' };
        status = { version: 1 };
    });

    it('binds to 127.0.0.1 and logs its url', () => {
        expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
        expect(log.lines).toContainEqual(expect.objectContaining({ msg: 'ops server listening', url: server.url }));
    });

    it('answers /healthz with 200 when healthy', async () => {
        const res = await fetch(`${server.url}/healthz`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(await res.json()).toEqual({ ok: true, chain: 'up' });
    });

    it('answers /healthz with 503 and the same shape when not', async () => {
        health = { ok: false, chain: 'down' };
        const res = await fetch(`${server.url}/healthz?verbose=1`);
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({ ok: false, chain: 'down' });
    });

    it('reports a throwing health check as 503', async () => {
        const failing = await startOpsServer({
            port: 0,
            ops: { ...fixedOps, health: () => Promise.reject(new Error('db locked')) },
        });
        try {
            const res = await fetch(`${failing.url}/healthz`);
            expect(res.status).toBe(503);
            expect(await res.json()).toEqual({ ok: false, error: 'db locked' });
        } finally {
            await failing.close();
        }
    });

    it('serves metrics as Prometheus text', async () => {
        requests.inc({ kind: 'chat' }, 3);
        const res = await fetch(`${server.url}/metrics`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
        const text = await res.text();
        expect(text).toContain('# HELP cocoon_test_requests_total Requests handled');
        expect(text).toContain('cocoon_test_requests_total{kind="chat"} 3');
    });

    it('serves status as JSON with bigints as strings', async () => {
        status = { balance: 12345678901234567890n, workers: [{ id: 'w1', spent: 5n }] };
        const res = await fetch(`${server.url}/status`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ balance: '12345678901234567890', workers: [{ id: 'w1', spent: '5' }] });
    });

    it('answers 500 when status throws, and logs it', async () => {
        status = undefined;
        const throwing = await startOpsServer({
            port: 0,
            ops: {
                ...fixedOps,
                status: () => {
                    throw new Error('no state');
                },
            },
            log,
        });
        try {
            const res = await fetch(`${throwing.url}/status`);
            expect(res.status).toBe(500);
            expect(await res.json()).toEqual({ error: 'internal error' });
            const error = { name: 'Error', message: 'no state' };
            expect(log.lines).toContainEqual(expect.objectContaining({ level: 'error', msg: 'ops request failed', path: '/status', error }));
        } finally {
            await throwing.close();
        }
    });

    it('refuses other methods with 405', async () => {
        for (const path of ['/healthz', '/metrics', '/status']) {
            const res = await fetch(`${server.url}${path}`, { method: 'POST', body: '{}' });
            expect(res.status).toBe(405);
            expect(res.headers.get('allow')).toBe('GET');
            expect(await res.json()).toEqual({ error: 'method not allowed' });
        }
    });

    it('answers 404 elsewhere, / included when the service has no page', async () => {
        for (const path of ['/v1/models', '/']) {
            const res = await fetch(`${server.url}${path}`);
            expect(res.status).toBe(404);
            expect(await res.json()).toEqual({ error: 'not found' });
        }
    });

    it("serves the service's page at / as HTML under a CSP that allows no script and no loads", async () => {
        const paged = await startOpsServer({ port: 0, ops: { ...fixedOps, page: async () => '<!DOCTYPE html><p>ok</p>' } });
        try {
            const res = await fetch(`${paged.url}/?refresh=1`);
            expect(res.status).toBe(200);
            expect(Object.fromEntries([...res.headers].filter(([k]) => k !== 'date' && k !== 'connection' && k !== 'keep-alive'))).toEqual({
                'content-type': 'text/html; charset=utf-8',
                'content-security-policy': STATUS_PAGE_CSP,
                'x-content-type-options': 'nosniff',
                'x-frame-options': 'DENY',
                'referrer-policy': 'no-referrer',
                'cache-control': 'no-store',
                'content-length': '24',
            });
            expect(await res.text()).toBe('<!DOCTYPE html><p>ok</p>');
            const post = await fetch(`${paged.url}/`, { method: 'POST', body: 'x' });
            expect(post.status).toBe(405);
            expect(post.headers.get('allow')).toBe('GET');
        } finally {
            await paged.close();
        }
    });

    it('fails to start on a busy port with a ListenError', async () => {
        const second = startOpsServer({ port: server.port, ops: fixedOps });
        await expect(second).rejects.toThrow(ListenError);
        await expect(second).rejects.toThrow(`cannot listen on 127.0.0.1:${server.port}: EADDRINUSE`);
    });

    it('closes with keep-alive connections open', async () => {
        const other = await startOpsServer({ port: 0, ops: fixedOps });
        await (await fetch(`${other.url}/healthz`)).json();
        await other.close();
        await expect(fetch(`${other.url}/healthz`)).rejects.toThrow();
    });
});

describe('handleOps', () => {
    it('leaves other paths to the caller', async () => {
        const metrics = createMetrics('cocoon_api');
        const server = createServer((req, res) => {
            const ops = { health: () => ({ ok: true }), status: () => ({ api: true }), metrics: metrics.registry };
            void handleOps(req, res, ops).then((handled) => handled || res.end('api'));
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const { port } = server.address() as { port: number };
        try {
            expect(await (await fetch(`http://127.0.0.1:${port}/v1/chat`)).text()).toBe('api');
            expect(await (await fetch(`http://127.0.0.1:${port}/status`)).json()).toEqual({ api: true });
        } finally {
            server.closeAllConnections();
            await new Promise((r) => server.close(r));
        }
    });
});

describe('createMetrics', () => {
    it('gives each instance its own registry, so equal names do not clash', async () => {
        const a = createMetrics('cocoon_proxy', { labels: { instance: 'a' } });
        const b = createMetrics('cocoon_proxy');
        a.gauge('workers', 'Connected workers').set(2);
        b.gauge('workers', 'Connected workers').set(5);
        b.histogram('latency_seconds', 'Latency', ['model'], [0.1, 1]).observe({ model: 'm' }, 0.5);
        expect(await a.registry.metrics()).toContain('cocoon_proxy_workers{instance="a"} 2');
        const textB = await b.registry.metrics();
        expect(textB).toContain('cocoon_proxy_workers 5');
        expect(textB).toContain('cocoon_proxy_latency_seconds_bucket{le="1",model="m"} 1');
        expect(textB).not.toContain('process_cpu');
    });

    it('collects process metrics only when asked', async () => {
        const m = createMetrics('cocoon_cli', { defaultMetrics: true });
        expect(await m.registry.metrics()).toContain('cocoon_cli_process_cpu_user_seconds_total');
    });

    it('rejects names Prometheus would not accept', () => {
        expect(() => createMetrics('cocoon-proxy')).toThrow("metric prefix 'cocoon-proxy' is not a valid Prometheus name");
        const metrics = createMetrics('cocoon');
        expect(() => metrics.counter('bad name', 'x')).toThrow("metric name 'cocoon_bad name' is not a valid Prometheus name");
    });
});
