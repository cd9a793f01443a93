import http from 'http';
import https from 'https';
import type { Readable, Transform } from 'stream';
import zlib from 'zlib';

/**
 * The worker's HTTP client for its inference engine (vLLM, or the test engine standing in for it): forwards
 * completion requests and streams the answer back, and watches the engine's health through `GET /v1/models`.
 */
export type EngineErrorKind = 'unreachable' | 'timeout' | 'http';

/** The engine could not be reached, did not answer in time, or answered a health/model query with an error. */
export class EngineError extends Error {
    constructor(
        readonly kind: EngineErrorKind,
        message: string,
        /** The HTTP status, for kind 'http'. */
        readonly status?: number,
    ) {
        super(message);
        this.name = 'EngineError';
    }
}

export interface EngineClientOptions {
    /** The engine's base URL, e.g. `http://127.0.0.1:8000`. */
    url: string;
    /** Longest wait for the answer's headers, and for each body chunk after them (default 120 s). */
    timeoutMs?: number;
    /** Interval of health polls, which is also each poll's timeout (default 2 s). */
    healthPollMs?: number;
}

export interface ForwardOptions {
    /** Aborts the request (e.g. the client went away); the abort reason is rethrown as is. */
    signal?: AbortSignal;
    timeoutMs?: number;
}

export interface EngineResponse {
    status: number;
    /** The engine's headers without the hop-by-hop and framing ones, ready to be relayed. */
    headers: Record<string, string>;
    /** Read it to the end or leave the loop early: leaving closes the connection, which makes the engine stop generating. */
    body: AsyncIterable<Buffer>;
}

/** Framing and hop-by-hop headers are the relaying server's own business. */
const DROPPED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'content-encoding']);

/** Bodies the engine compressed anyway (it is asked for identity) are decoded, since the meter reads them. */
const DECODERS: Partial<Record<string, () => Transform>> = { gzip: zlib.createGunzip, deflate: zlib.createInflate, br: zlib.createBrotliDecompress };

export class EngineClient {
    private readonly url: string;
    private readonly timeoutMs: number;
    private readonly healthPollMs: number;
    /**
     * Completions go through node:http with kept-alive connections rather than fetch: about half the CPU per
     * request (measured with the test engine), and this is on every request's path to its first token.
     */
    private readonly agent: http.Agent;
    private isHealthy = false;
    private healthTimer: NodeJS.Timeout | null = null;
    private healthRun = 0;

    constructor(opts: EngineClientOptions) {
        if (!URL.canParse(opts.url)) throw new RangeError(`engine url '${opts.url}' is not a valid URL`);
        this.url = opts.url.replace(/\/+$/, '');
        this.timeoutMs = opts.timeoutMs ?? 120_000;
        this.healthPollMs = opts.healthPollMs ?? 2000;
        this.agent = new (new URL(this.url).protocol === 'https:' ? https : http).Agent({ keepAlive: true });
    }

    /** The outcome of the last health poll (false before the first one). */
    get healthy(): boolean {
        return this.isHealthy;
    }

    /**
     * POSTs `body` as JSON to `path` and returns the answer as soon as its headers arrive, whatever its status, so
     * the engine's own errors can be relayed. Failures to get an answer throw EngineError ('unreachable' or 'timeout');
     * so does a body that breaks off or stalls while it is read.
     */
    async forward(path: string, body: unknown, opts: ForwardOptions = {}): Promise<EngineResponse> {
        const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
        const signal = opts.signal;
        if (signal?.aborted) throw signal.reason;
        const payload = Buffer.from(JSON.stringify(body));
        const url = new URL(this.url + path);
        const req = (url.protocol === 'https:' ? https : http).request(url, {
            method: 'POST',
            agent: this.agent,
            headers: {
                'content-type': 'application/json',
                'content-length': payload.length,
                accept: 'application/json, text/event-stream',
                'accept-encoding': 'identity',
            },
        });
        let timedOut = false;
        let timer: NodeJS.Timeout | undefined;
        const arm = () => {
            clearTimeout(timer);
            timer = setTimeout(() => {
                timedOut = true;
                req.destroy();
            }, timeoutMs);
        };
        const onAbort = () => req.destroy();
        signal?.addEventListener('abort', onAbort, { once: true });
        const release = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
        };
        const failure = (e: unknown, doing: string): unknown => {
            if (signal?.aborted) return signal.reason;
            if (timedOut) return new EngineError('timeout', `engine ${path}: no ${doing} within ${timeoutMs} ms`);
            return new EngineError('unreachable', `engine ${path}: ${describe(e)}`);
        };

        arm();
        let res: http.IncomingMessage;
        try {
            res = await new Promise<http.IncomingMessage>((resolve, reject) => {
                req.once('response', resolve);
                req.once('error', reject);
                req.once('close', () => reject(new Error('connection closed')));
                req.end(payload);
            });
        } catch (e) {
            release();
            throw failure(e, 'answer');
        }
        clearTimeout(timer);
        // after the head, errors surface through the body's stream
        req.on('error', () => undefined);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined && !DROPPED_HEADERS.has(name)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const decode = DECODERS[String(res.headers['content-encoding'] ?? '').toLowerCase()];
        const stream: Readable = decode ? res.pipe(decode()) : res;
        if (decode) res.on('error', (e) => stream.destroy(e));
        async function* chunks(): AsyncGenerator<Buffer> {
            const reader = stream[Symbol.asyncIterator]();
            let finished = false;
            try {
                for (;;) {
                    arm();
                    let step: IteratorResult<Buffer>;
                    try {
                        step = await reader.next();
                        if (step.done && !res.complete) throw new Error('the answer broke off');
                    } catch (e) {
                        throw failure(e, 'data');
                    }
                    clearTimeout(timer); // the consumer's own pace is not the engine's stall
                    if (step.done) break;
                    yield step.value;
                }
                finished = true;
            } finally {
                release();
                if (!finished) req.destroy(); // the consumer stopped early or the read failed: drop the connection
            }
        }
        return { status: res.statusCode ?? 0, headers, body: chunks() };
    }

    /** Ids of the models the engine serves. */
    async models(timeoutMs = this.timeoutMs): Promise<string[]> {
        let res: Response;
        try {
            res = await fetch(`${this.url}/v1/models`, { signal: AbortSignal.timeout(timeoutMs) });
        } catch (e) {
            if ((e as Error).name === 'TimeoutError') throw new EngineError('timeout', `engine /v1/models: no answer within ${timeoutMs} ms`);
            throw new EngineError('unreachable', `engine /v1/models: ${describe(e)}`);
        }
        if (res.status !== 200) {
            await res.body?.cancel();
            throw new EngineError('http', `engine /v1/models: HTTP ${res.status}`, res.status);
        }
        const list = (await res.json().catch(() => null)) as { data?: unknown } | null;
        const data = list?.data;
        if (!Array.isArray(data) || !data.every((m) => typeof m?.id === 'string')) {
            throw new EngineError('http', 'engine /v1/models: the answer is not a model list', res.status);
        }
        return data.map((m: { id: string }) => m.id);
    }

    /**
     * Polls `GET /v1/models` every healthPollMs, starting now, and calls `onChange` with the first outcome and then
     * on every change. Replaces an earlier watch.
     */
    startHealth(onChange: (healthy: boolean, reason?: string) => void): void {
        this.stop();
        const run = ++this.healthRun;
        let first = true;
        const poll = async () => {
            let healthy = true;
            let reason: string | undefined;
            try {
                await this.models(this.healthPollMs);
            } catch (e) {
                healthy = false;
                reason = (e as Error).message;
            }
            if (run !== this.healthRun) return; // stopped while polling
            if (first || healthy !== this.isHealthy) {
                first = false;
                this.isHealthy = healthy;
                onChange(healthy, reason);
            }
            if (run === this.healthRun) this.healthTimer = setTimeout(poll, this.healthPollMs).unref();
        };
        void poll();
    }

    /** Stops health polling. */
    stop(): void {
        this.healthRun++;
        if (this.healthTimer) clearTimeout(this.healthTimer);
        this.healthTimer = null;
    }

    /** Stops health polling and closes the kept-alive connections. */
    close(): void {
        this.stop();
        this.agent.destroy();
    }
}

/** The error's code says what went wrong (ECONNREFUSED, ECONNRESET, ...); fetch hides it in `cause`. */
function describe(e: unknown): string {
    const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
    const code = err.code ?? err.cause?.code ?? err.cause?.message;
    return code && !err.message.includes(code) ? `${err.message} (${code})` : String(err.message ?? e);
}
