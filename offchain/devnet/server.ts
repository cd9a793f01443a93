import http from 'http';
import { AddressInfo } from 'net';
import { ApiError, validationError } from './errors';
import { DevnetLedger } from './ledger';
import { methods } from './methods';
import { Params } from './params';

export const API_BASE = '/api/v2';
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** The faucet hands out at most this much per request (1,000,000 TON). */
export const FAUCET_MAX_NANO = 1_000_000n * 1_000_000_000n;

const IDLE_CONNECTION_MS = 30_000;

type Reply = { status: number; body: Record<string, unknown> };
type Log = (line: string) => void;

/** The client closed the connection before its request body arrived: there is no one to answer. */
class ClientGone extends Error {}

const tooLarge = () => new ApiError(413, `Request body too large (limit ${MAX_BODY_BYTES} bytes)`);

/**
 * The devnet's HTTP front: toncenter's API v2 as JSON-RPC (`POST /api/v2/jsonRPC`) and REST (`GET|POST
 * /api/v2/<method>`), the faucet (`POST /faucet`) and `GET /healthz`. Every failure is answered in toncenter's
 * error shape (JSON-RPC ones also with `jsonrpc` and `id`); nothing a client sends can crash the process.
 */
export function createDevnetServer(ledger: DevnetLedger, log: Log): http.Server {
    const serve = (req: http.IncomingMessage, res: http.ServerResponse) => {
        handle(ledger, req, log)
            .catch((e) => errorReply(e, log))
            .then((reply) => {
                if (reply === undefined || res.destroyed) return;
                const text = JSON.stringify(reply.body);
                const headers: http.OutgoingHttpHeaders = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) };
                // A refused body is not read: closing the connection after the answer spares the rest of the upload.
                if (reply.status === 413) headers.Connection = 'close';
                res.writeHead(reply.status, headers);
                res.end(text);
            });
    };
    const server = http.createServer(serve);
    // Longer than Node clients keep an idle connection (5 s), so the client always closes first: with equal
    // timeouts a request sent on a connection the server is closing fails with "socket hang up".
    server.keepAliveTimeout = IDLE_CONNECTION_MS;
    // `Expect: 100-continue`: an oversized body is refused before the client sends it, otherwise it is invited.
    server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
        if (declaredLength(req) > MAX_BODY_BYTES) return serve(req, res);
        res.writeContinue();
        serve(req, res);
    });
    return server;
}

/** toncenter's error shape for a thrown error; undefined when the client is gone and nothing can be answered. */
function errorReply(e: unknown, log: Log): Reply | undefined {
    if (e instanceof ApiError) return { status: e.code, body: { ok: false, error: e.message, code: e.code } };
    if (e instanceof ClientGone) {
        log(`devnet: ${e.message}`);
        return undefined;
    }
    log(`devnet: internal error: ${(e as Error).stack ?? e}`);
    return { status: 503, body: { ok: false, error: String((e as Error).message ?? e), code: 503 } };
}

async function handle(ledger: DevnetLedger, req: http.IncomingMessage, log: Log): Promise<Reply | undefined> {
    const url = new URL(req.url ?? '/', 'http://devnet');
    const path = url.pathname.replace(/\/+$/, '');
    if (path === `${API_BASE}/jsonRPC`) {
        let body: unknown;
        try {
            if (req.method !== 'POST') throw new ApiError(405, 'Method Not Allowed');
            body = await readJson(req);
        } catch (e) {
            // No call was read, so no id is known: JSON-RPC answers such errors with id null.
            const reply = errorReply(e, log);
            return reply && { status: reply.status, body: { ...reply.body, jsonrpc: '2.0', id: null } };
        }
        return jsonRpc(ledger, body, log);
    }
    if (path.startsWith(`${API_BASE}/`)) {
        const name = path.slice(API_BASE.length + 1);
        const method = Object.hasOwn(methods, name) ? methods[name] : undefined;
        if (!method) throw new ApiError(404, 'Not Found');
        let params: Params;
        if (req.method === 'GET') params = new Params(Object.fromEntries(url.searchParams));
        else if (req.method === 'POST') params = Params.from(await readJson(req));
        else throw new ApiError(405, 'Method Not Allowed');
        return { status: 200, body: { ok: true, result: await method(ledger, params) } };
    }
    if (path === '/faucet') {
        if (req.method !== 'POST') throw new ApiError(405, 'Method Not Allowed');
        return faucet(ledger, Params.from(await readJson(req)));
    }
    if (path === '/healthz') {
        return { status: 200, body: { ok: true, result: { now: ledger.clock.now(), block_seqno: ledger.blockSeqno, transactions: ledger.store.size } } };
    }
    throw new ApiError(404, 'Not Found');
}

async function jsonRpc(ledger: DevnetLedger, body: unknown, log: Log): Promise<Reply> {
    const call = (body ?? {}) as { id?: unknown; method?: unknown; params?: unknown };
    const id = call.id ?? null;
    const answer = (status: number, rest: Record<string, unknown>): Reply => ({ status, body: { ...rest, jsonrpc: '2.0', id } });
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return answer(422, { ok: false, error: 'Validation error: request must be a JSON object', code: 422 });
    if (typeof call.method !== 'string' || !Object.hasOwn(methods, call.method)) return answer(422, { ok: false, error: 'Unknown method', code: 422 });
    try {
        const result = await methods[call.method](ledger, Params.from(call.params));
        return answer(200, { ok: true, result });
    } catch (e) {
        const reply = errorReply(e, log)!; // the body was read whole: the client cannot be gone
        return answer(reply.status, reply.body);
    }
}

async function faucet(ledger: DevnetLedger, p: Params): Promise<Reply> {
    const address = p.address('address');
    if (address.workChain !== 0 && address.workChain !== -1) throw validationError(`field 'address' must be in workchain 0 or -1, not ${address.workChain}`);
    const amount = p.natural('amount');
    if (amount <= 0n || amount > FAUCET_MAX_NANO) throw validationError(`field 'amount' must be between 1 and ${FAUCET_MAX_NANO} nanoTON`);
    const records = await ledger.faucet(address, amount);
    const tx = records[0];
    const account = await ledger.account(address);
    return {
        status: 200,
        body: { ok: true, result: { address: address.toString(), amount: amount.toString(), lt: tx.lt.toString(), hash: tx.hash.toString('base64'), balance: account.balance.toString() } },
    };
}

/** The request's Content-Length, 0 when absent (a chunked body is measured as it arrives). */
function declaredLength(req: http.IncomingMessage): number {
    const n = Number(req.headers['content-length'] ?? 0);
    return Number.isFinite(n) ? n : 0;
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
    return new Promise((resolve, reject) => {
        if (declaredLength(req) > MAX_BODY_BYTES) return reject(tooLarge());
        const chunks: Buffer[] = [];
        let size = 0;
        const onData = (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY_BYTES) {
                req.off('data', onData);
                req.pause();
                reject(tooLarge());
                return;
            }
            chunks.push(c);
        };
        req.on('data', onData);
        const gone = () => reject(new ClientGone(`client disconnected before sending the whole request (${req.method} ${req.url})`));
        req.on('error', gone);
        req.on('close', () => {
            if (!req.complete) gone();
        });
        req.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (text.trim() === '') return resolve(undefined);
            try {
                resolve(JSON.parse(text));
            } catch {
                reject(validationError('request body is not valid JSON'));
            }
        });
    });
}

export function listen(server: http.Server, port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
            server.off('error', reject);
            resolve((server.address() as AddressInfo).port);
        });
    });
}
