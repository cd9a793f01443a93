import { createServer, type IncomingMessage, type ServerResponse } from 'http';
import { bearerToken, handleOps, listen, sendJson, tokensEqual, type Logger, type Ops } from '../runtime';
import type { SettleReport } from './settlement';

export interface ProxyOpsOptions {
    host?: string;
    port: number;
    ops: Ops;
    adminToken?: string;
    settle: () => Promise<SettleReport>;
    log: Logger;
}

export interface ProxyOpsServer {
    port: number;
    close(): Promise<void>;
}

/**
 * The ops port: GET /healthz, /metrics, /status (offchain/runtime's handleOps), and POST /admin/settle, which needs
 * `Authorization: Bearer <adminToken>` (401 without it; 403 when no admin token is configured).
 */
export async function startProxyOps(o: ProxyOpsOptions): Promise<ProxyOpsServer> {
    const admin = async (req: IncomingMessage, res: ServerResponse) => {
        if (req.method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'POST' });
        if (!o.adminToken) return sendJson(res, 403, { error: 'no admin token is configured' });
        const token = bearerToken(req);
        if (!token || !tokensEqual(token, o.adminToken)) return sendJson(res, 401, { error: 'admin token required' }, { 'www-authenticate': 'Bearer' });
        try {
            sendJson(res, 200, await o.settle());
        } catch (e) {
            o.log.error('admin settle failed', { error: e });
            sendJson(res, 500, { error: (e as Error).message });
        }
    };
    const server = createServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://ops').pathname;
        const handled = path === '/admin/settle' ? admin(req, res).then(() => true) : handleOps(req, res, o.ops);
        handled.then(
            (done) => done || sendJson(res, 404, { error: 'not found' }),
            (e: unknown) => {
                o.log.error('ops request failed', { path, error: e });
                sendJson(res, 500, { error: 'internal error' });
            },
        );
    });
    const host = o.host ?? '127.0.0.1';
    const port = await listen(server, o.port, host);
    o.log.info('ops server listening', { host, port });
    return {
        port,
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.close((e) => (e ? reject(e) : resolve()));
                server.closeAllConnections();
            }),
    };
}
