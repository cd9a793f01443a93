import { createServer, IncomingMessage, ServerResponse } from 'http';
import type { Registry } from 'prom-client';
import { listen, sendJson } from './http';
import { Logger, silentLogger } from './logger';
import { STATUS_PAGE_HEADERS } from './statusPage';

export interface HealthReport {
    ok: boolean;
    [k: string]: unknown;
}

/** What a service reports on its operations endpoints. */
export interface Ops {
    health: () => Promise<HealthReport> | HealthReport;
    status: () => unknown;
    metrics: Registry;
    /** The read-only HTML status page served at `/` (statusPage.ts); without it `/` is not an ops path. */
    page?: () => string | Promise<string>;
}

const OPS_PATHS = new Set(['/healthz', '/metrics', '/status']);

/**
 * Answers `GET /healthz` (200, or 503 when not ok), `GET /metrics` (Prometheus text), `GET /status` (JSON) and, when
 * the service has a page, `GET /` (HTML under a CSP that allows no script and no loads). Resolves to false for any
 * other path, so a service's own HTTP server can serve these next to its API. A failing health check is a 503; a
 * failing `status`, `metrics` or `page` rejects, for the caller to answer 500 and log.
 */
export async function handleOps(req: IncomingMessage, res: ServerResponse, ops: Ops): Promise<boolean> {
    const path = new URL(req.url ?? '/', 'http://ops').pathname;
    if (!OPS_PATHS.has(path) && !(path === '/' && ops.page)) return false;
    if (req.method !== 'GET') {
        sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET' });
        return true;
    }
    if (path === '/healthz') {
        let report: HealthReport;
        try {
            report = await ops.health();
        } catch (e) {
            report = { ok: false, error: e instanceof Error ? e.message : String(e) };
        }
        sendJson(res, report.ok ? 200 : 503, report);
    } else if (path === '/') {
        const text = await ops.page!();
        res.writeHead(200, { ...STATUS_PAGE_HEADERS, 'content-length': Buffer.byteLength(text) });
        res.end(text);
    } else if (path === '/metrics') {
        const text = await ops.metrics.metrics();
        res.writeHead(200, { 'content-type': ops.metrics.contentType, 'content-length': Buffer.byteLength(text) });
        res.end(text);
    } else {
        sendJson(res, 200, await ops.status());
    }
    return true;
}

export interface OpsServerOptions {
    /** 0 picks a free port. */
    port: number;
    /** Default 127.0.0.1: operations data is not for the network unless configured so. */
    host?: string;
    ops: Ops;
    log?: Logger;
}

export interface OpsServer {
    port: number;
    url: string;
    close(): Promise<void>;
}

/** An HTTP server for the operations endpoints alone, for services whose main port does not speak HTTP. */
export async function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
    const host = opts.host ?? '127.0.0.1';
    const log = opts.log ?? silentLogger();
    const server = createServer((req, res) => {
        handleOps(req, res, opts.ops).then(
            (handled) => handled || sendJson(res, 404, { error: 'not found' }),
            (e: unknown) => {
                log.error('ops request failed', { path: req.url, error: e });
                sendJson(res, 500, { error: 'internal error' });
            },
        );
    });
    const port = await listen(server, opts.port, host);
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    log.info('ops server listening', { url });
    return {
        port,
        url,
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.close((e) => (e ? reject(e) : resolve()));
                server.closeAllConnections();
            }),
    };
}
