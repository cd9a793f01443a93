import { createServer, type IncomingMessage, type ServerResponse } from 'http';
import { bearerToken, handleOps, listen, sendJson, tokensEqual, type Logger, type Ops } from '../runtime';
import type { OutboxRecord } from '../chain/outbox';
import type { SettleReport } from './settlement';

export interface ProxyOpsOptions {
    host?: string;
    port: number;
    ops: Ops;
    adminToken?: string;
    settle: () => Promise<SettleReport>;
    publishReputation: () => OutboxRecord | null;
    closeForGood: () => { contract: string; clients: number; workers: number };
    log: Logger;
}

export interface ProxyOpsServer {
    port: number;
    close(): Promise<void>;
}

/**
 * The ops port: GET /healthz, /metrics, /status (offchain/runtime's handleOps), and the admin actions POST
 * /admin/settle (settle everything now), POST /admin/reputation (queue a reputation snapshot now) and POST
 * /admin/close (close this proxy for good: stop serving and retire its contract), which need
 * `Authorization: Bearer <adminToken>` (401 without it; 403 when no admin token is configured).
 */
export async function startProxyOps(o: ProxyOpsOptions): Promise<ProxyOpsServer> {
    const actions = new Map<string, () => Promise<unknown>>([
        ['/admin/settle', () => o.settle()],
        ['/admin/close', async () => ({ closing: true, ...o.closeForGood() })],
        [
            '/admin/reputation',
            async () => {
                const r = o.publishReputation();
                return r ? { queued: true, outboxId: r.id, intent: r.intent } : { queued: false, reason: 'nothing new to publish' };
            },
        ],
    ]);
    const admin = async (req: IncomingMessage, res: ServerResponse, action: () => Promise<unknown>) => {
        if (req.method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'POST' });
        if (!o.adminToken) return sendJson(res, 403, { error: 'no admin token is configured' });
        const token = bearerToken(req);
        if (!token || !tokensEqual(token, o.adminToken)) return sendJson(res, 401, { error: 'admin token required' }, { 'www-authenticate': 'Bearer' });
        try {
            sendJson(res, 200, await action());
        } catch (e) {
            o.log.error('admin action failed', { path: req.url, error: e });
            sendJson(res, 500, { error: (e as Error).message });
        }
    };
    const server = createServer((req, res) => {
        const path = new URL(req.url ?? '/', 'http://ops').pathname;
        const action = actions.get(path);
        const handled = action ? admin(req, res, action).then(() => true) : handleOps(req, res, o.ops);
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
