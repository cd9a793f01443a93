import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import type { Path } from '../protocol';
import { BALANCES_REUSE_MS, bearerToken, handleOps, HttpError, listen, readJsonBody, reuseFor, sendJson, tokensEqual, type Logger, type Ops } from '../runtime';
import { APIConnectionError, APIError, APITimeoutError, APIUserAbortError, errorType } from './errors';
import type { InferenceClient } from './inferenceClient';
import { clientPage } from './statusPage';

/** Largest request body accepted (checked from Content-Length first, then counted). */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface ClientHttpOptions {
    /** Default 127.0.0.1. */
    host?: string;
    /** 0 picks a free port. */
    port: number;
    /** When set, /v1/* needs `Authorization: Bearer <apiKey>`. */
    apiKey?: string;
    /** When set, /admin/* (POST) needs `Authorization: Bearer <adminToken>`; unset, admin actions are disabled. */
    adminToken?: string;
    log?: Logger;
}

const API_ROUTES: Record<string, 'GET' | 'POST'> = {
    '/v1/chat/completions': 'POST',
    '/v1/completions': 'POST',
    '/v1/models': 'GET',
    '/v1/attestation': 'GET',
};

/** A trailing `data: [DONE]` event (with what follows it in the same part). */
const DONE_EVENT = /(?<=^|\n)data: ?\[DONE\][\s\S]*$/;

const ADMIN_ACTIONS = new Set(['/admin/charge', '/admin/topup', '/admin/withdraw', '/admin/refund']);

interface ErrorBody {
    error: { message: string; type: string; param: string | null; code: string | null };
}

function errorBody(status: number, message: string, code: string | null = null, param: string | null = null): ErrorBody {
    return { error: { message, type: errorType(status), param, code } };
}

/** HTTP status and OpenAI body of a failure (an engine's or proxy's status passes through). */
function describeError(e: unknown): { status: number; body: ErrorBody } {
    if (e instanceof APITimeoutError) return { status: 504, body: errorBody(504, e.message, 'timeout') };
    if (e instanceof APIConnectionError) return { status: 502, body: errorBody(502, e.message, e.code) };
    if (e instanceof APIUserAbortError) return { status: 499, body: errorBody(499, e.message, e.code) };
    if (e instanceof APIError) {
        const status = e.status ?? 502;
        return { status, body: errorBody(status, e.message, e.code, e.param) };
    }
    if (e instanceof HttpError) return { status: e.status, body: errorBody(e.status, e.message, e.status === 413 ? 'body_too_large' : 'invalid_request') };
    return { status: 500, body: errorBody(500, 'internal error', 'internal') };
}

/** The request's receipt as a header value: base64 of its JSON. */
const receiptHeader = (receipt: object) => Buffer.from(JSON.stringify(receipt)).toString('base64');

/**
 * The OpenAI-compatible HTTP API over an InferenceClient. Streams pipe the proxy's SSE parts; the receipt of a
 * stream comes as a final SSE comment after `[DONE]` (`: cocoon-receipt <base64 JSON>`, which SSE clients ignore), that
 * of a JSON answer in `X-Cocoon-Receipt`. A stream that fails midway (a rejected receipt included) ends with
 * `event: error` and `data: {"error":…}` instead of `[DONE]`.
 */
export class ClientHttpServer {
    private constructor(
        private readonly server: Server,
        readonly port: number,
        readonly url: string,
    ) {}

    static async start(client: InferenceClient, o: ClientHttpOptions): Promise<ClientHttpServer> {
        const host = o.host ?? '127.0.0.1';
        const handler = new Handler(client, o);
        const server = createServer((req, res) => void handler.handle(req, res));
        const port = await listen(server, o.port, host);
        const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
        o.log?.info('client API listening', { url });
        return new ClientHttpServer(server, port, url);
    }

    close(): Promise<void> {
        return new Promise((resolve, reject) => {
            this.server.close((e) => (e ? reject(e) : resolve()));
            this.server.closeAllConnections();
        });
    }
}

class Handler {
    private readonly ops: Ops;

    constructor(
        private readonly client: InferenceClient,
        private readonly o: ClientHttpOptions,
    ) {
        const balances = reuseFor(BALANCES_REUSE_MS, () => client.balances());
        this.ops = {
            health: () => ({ ok: client.status().connected }),
            status: () => client.status(),
            metrics: client.metrics,
            page: async () => clientPage(client.status(), await balances()),
        };
    }

    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        try {
            const path = new URL(req.url ?? '/', 'http://client').pathname;
            if (await handleOps(req, res, this.ops)) return;
            if (path.startsWith('/admin/')) return await this.admin(req, res, path);
            if (path.startsWith('/v1/')) return await this.api(req, res, path);
            this.fail(res, 404, `no route ${path}`, 'not_found');
        } catch (e) {
            const { status, body } = describeError(e);
            if (status >= 500 && !(e instanceof APIError)) this.o.log?.error('request failed', { path: req.url, error: e });
            this.send(res, status, body);
        }
    }

    private async api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
        if (this.o.apiKey !== undefined && !tokensEqual(bearerToken(req) ?? '', this.o.apiKey)) {
            return this.fail(res, 401, 'missing or invalid API key (Authorization: Bearer <key>)', 'invalid_api_key');
        }
        const method = API_ROUTES[path];
        if (!method) return this.fail(res, 404, `no route ${path}`, 'not_found');
        if (req.method !== method) return this.fail(res, 405, `${path} takes ${method}`, 'method_not_allowed', { allow: method });
        if (path === '/v1/models') return sendJson(res, 200, await this.client.models.list());
        if (path === '/v1/attestation') return sendJson(res, 200, this.client.attestation());
        const body = await readJsonBody(req, MAX_BODY_BYTES);
        const stream = (body as { stream?: unknown } | null)?.stream === true;
        const controller = new AbortController();
        // the app went away: cancel the request at the proxy instead of paying for an answer nobody reads
        res.on('close', () => res.writableFinished || controller.abort());
        const r = await this.client.request(path as Path, JSON.stringify(body), { signal: controller.signal });
        const headers = { 'x-cocoon-request-id': r.requestId, 'x-cocoon-time-to-head-ms': String(r.timeToHeadMs) };
        if (stream && r.status < 400) {
            res.writeHead(r.status, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
            // `[DONE]` is held back until the receipt verified: SSE clients (the openai package too) stop reading at
            // it, and a failure after it would pass unseen
            let held = '';
            try {
                for await (const part of r.parts) {
                    const text = held + part;
                    const done = DONE_EVENT.exec(text);
                    held = done ? done[0] : '';
                    res.write(done ? text.slice(0, done.index) : text);
                }
                const done = await r.done;
                res.end(`${held}: cocoon-receipt ${receiptHeader(done.receipt)}\n: cocoon-duration-ms ${done.durationMs}\n\n`);
            } catch (e) {
                res.end(`event: error\ndata: ${JSON.stringify(describeError(e).body)}\n\n`);
            }
            return;
        }
        let text = '';
        for await (const part of r.parts) text += part;
        const done = await r.done;
        res.writeHead(r.status, {
            ...headers,
            'content-type': r.headers['content-type'] ?? 'application/json',
            'content-length': Buffer.byteLength(text),
            'x-cocoon-receipt': receiptHeader(done.receipt),
            'x-cocoon-duration-ms': String(done.durationMs),
        });
        res.end(text);
    }

    private async admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
        if (!ADMIN_ACTIONS.has(path)) return this.fail(res, 404, `no route ${path}`, 'not_found');
        if (req.method !== 'POST') return this.fail(res, 405, 'admin actions take POST', 'method_not_allowed', { allow: 'POST' });
        if (this.o.adminToken === undefined) return this.fail(res, 403, 'admin actions are disabled (no admin token configured)', 'admin_disabled');
        if (!tokensEqual(bearerToken(req) ?? '', this.o.adminToken)) return this.fail(res, 401, 'missing or invalid admin token', 'invalid_admin_token');
        let result;
        if (path === '/admin/topup') {
            const body = await readJsonBody(req, MAX_BODY_BYTES);
            const ton = (body as { ton?: unknown } | null)?.ton;
            if (typeof ton !== 'string' && typeof ton !== 'number') return this.fail(res, 400, 'body must be {"ton": "<amount>"}', 'invalid_value', {}, 'ton');
            result = await this.client.topUp(String(ton));
        } else if (path === '/admin/charge') result = await this.client.charge();
        else if (path === '/admin/withdraw') result = await this.client.withdraw();
        else result = await this.client.requestRefund();
        sendJson(res, result.outcome === 'delivered' ? 200 : 502, result);
    }

    private fail(res: ServerResponse, status: number, message: string, code: string, headers: Record<string, string> = {}, param: string | null = null): void {
        this.send(res, status, errorBody(status, message, code, param), headers);
    }

    private send(res: ServerResponse, status: number, body: ErrorBody, headers: Record<string, string> = {}): void {
        if (res.headersSent) {
            res.end();
            return;
        }
        sendJson(res, status, body, status === 413 ? { ...headers, connection: 'close' } : headers);
    }
}
