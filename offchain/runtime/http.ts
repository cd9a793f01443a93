import { createHash, timingSafeEqual } from 'crypto';
import type { IncomingMessage, Server, ServerResponse } from 'http';

/** A request failure with the HTTP status to answer with; the message is safe to show the client. */
export class HttpError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
        this.name = new.target.name;
    }
}

/** The server could not bind its address. */
export class ListenError extends Error {
    constructor(
        readonly host: string,
        readonly port: number,
        readonly code: string | undefined,
        cause: unknown,
    ) {
        super(`cannot listen on ${host}:${port}: ${code ?? String(cause)}`, { cause });
        this.name = new.target.name;
    }
}

/** JSON text with bigints written as decimal strings (JSON.stringify throws on them). */
export function stringifyJson(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    const text = stringifyJson(body);
    res.writeHead(status, {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
    });
    res.end(text);
}

/**
 * Answers `{"error": message}` with the error's status for an HttpError, else 500 without details (they may be
 * internal). A 413 also closes the connection, since the unread body would otherwise still have to be drained.
 */
export function sendError(res: ServerResponse, err: unknown): void {
    if (err instanceof HttpError) {
        sendJson(res, err.status, { error: err.message }, err.status === 413 ? { connection: 'close' } : {});
    } else {
        sendJson(res, 500, { error: 'internal error' });
    }
}

/**
 * Reads and parses a JSON request body of at most `maxBytes`. A declared Content-Length above the limit is refused
 * before reading anything; a body without one is counted as it arrives. Rejects with HttpError: 413 too large,
 * 400 empty or invalid JSON or aborted by the client.
 */
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
    const declared = Number(req.headers['content-length']);
    if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let settled = false;
        const finish = (err: HttpError | undefined, value?: unknown) => {
            if (settled) return;
            settled = true;
            req.off('data', onData);
            if (err) reject(err);
            else resolve(value);
        };
        const onData = (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) finish(tooLarge(maxBytes));
            else chunks.push(chunk);
        };
        req.on('data', onData);
        req.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (text.trim() === '') return finish(new HttpError(400, 'request body is empty'));
            try {
                finish(undefined, JSON.parse(text));
            } catch {
                finish(new HttpError(400, 'request body is not valid JSON'));
            }
        });
        // A client that goes away mid-body ends in 'error' (ECONNRESET) and/or 'close' without 'end'. 'close' also
        // comes after every complete request: no error is built then (capturing its stack is not free).
        const aborted = () => settled || finish(new HttpError(400, 'request aborted'));
        req.on('error', aborted);
        req.on('close', aborted);
    });
}

function tooLarge(maxBytes: number): HttpError {
    return new HttpError(413, `request body exceeds ${maxBytes} bytes`);
}

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(req: IncomingMessage): string | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return match?.[1];
}

/**
 * Compares tokens in constant time, lengths included (both are hashed first). An empty token never matches, so a
 * missing configured token cannot be met by a missing header.
 */
export function tokensEqual(a: string, b: string): boolean {
    if (a === '' || b === '') return false;
    const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
    return timingSafeEqual(digest(a), digest(b));
}

/** Binds `server` (port 0 picks a free one) and resolves to the bound port. */
export function listen(server: Server, port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
        const onError = (e: NodeJS.ErrnoException) => reject(new ListenError(host, port, e.code, e));
        server.once('error', onError);
        server.listen(port, host, () => {
            server.off('error', onError);
            const address = server.address();
            resolve(typeof address === 'object' && address ? address.port : port);
        });
    });
}
