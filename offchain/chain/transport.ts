import { ChainApiError, ChainResponseError, ChainUnavailableError } from './errors';

export interface Endpoint {
    /** A toncenter-compatible JSON-RPC URL, e.g. `https://testnet.toncenter.com/api/v2/jsonRPC`. */
    url: string;
    apiKey?: string;
}

export interface TransportOptions {
    endpoints: (string | Endpoint)[];
    /** Attempts per call across all endpoints (default: 3 per endpoint). */
    attempts?: number;
    /** First retry delay; doubles each retry up to `maxBackoffMs`. */
    backoffMs?: number;
    maxBackoffMs?: number;
    /** Per-request timeout. */
    timeoutMs?: number;
    fetch?: typeof fetch;
    sleep?: (ms: number) => Promise<void>;
}

type Answer = { ok?: boolean; result?: unknown; error?: unknown; code?: unknown };

/** Statuses after which another attempt (the next endpoint) may succeed: rate limits and gateway failures. */
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/** Toncenter reports liteserver trouble as 500 with these words; anything else at 500 is a real answer. */
const RETRYABLE_500 = /timeout|LITE_SERVER_NETWORK|not ready|connection/i;

/**
 * Calls toncenter's JSON-RPC over a list of endpoints: the current endpoint is used until it fails with a
 * transient error (network, timeout, 429, 502–504, liteserver timeouts), then the next one, with exponential
 * backoff between attempts. Definite answers (`ok: false` with 4xx or a tonlib error) are not retried.
 */
export class JsonRpcTransport {
    private readonly endpoints: Endpoint[];
    private current = 0;
    private readonly attempts: number;
    private readonly backoffMs: number;
    private readonly maxBackoffMs: number;
    private readonly timeoutMs: number;
    private readonly fetchFn: typeof fetch;
    private readonly sleep: (ms: number) => Promise<void>;

    constructor(opts: TransportOptions) {
        if (opts.endpoints.length === 0) throw new RangeError('at least one endpoint is required');
        this.endpoints = opts.endpoints.map((e) => (typeof e === 'string' ? { url: e } : e));
        for (const e of this.endpoints) {
            if (!URL.canParse(e.url)) throw new RangeError(`endpoint '${e.url}' is not a valid URL`);
        }
        this.attempts = opts.attempts ?? 3 * this.endpoints.length;
        this.backoffMs = opts.backoffMs ?? 200;
        this.maxBackoffMs = opts.maxBackoffMs ?? 5000;
        this.timeoutMs = opts.timeoutMs ?? 15_000;
        this.fetchFn = opts.fetch ?? fetch;
        this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    }

    /** The endpoint the next call goes to. */
    get endpoint(): Endpoint {
        return this.endpoints[this.current];
    }

    async call<T = unknown>(method: string, params: Record<string, unknown>): Promise<T> {
        let lastError = '';
        for (let attempt = 1; attempt <= this.attempts; attempt++) {
            const endpoint = this.endpoints[this.current];
            const outcome = await this.once(endpoint, method, params);
            if (outcome.kind === 'ok') return outcome.result as T;
            if (outcome.kind === 'fatal') throw outcome.error;
            lastError = `${endpoint.url}: ${outcome.reason}`;
            this.current = (this.current + 1) % this.endpoints.length;
            if (attempt < this.attempts) await this.sleep(Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1)));
        }
        throw new ChainUnavailableError(method, this.attempts, lastError);
    }

    private async once(
        endpoint: Endpoint,
        method: string,
        params: Record<string, unknown>,
    ): Promise<{ kind: 'ok'; result: unknown } | { kind: 'retry'; reason: string } | { kind: 'fatal'; error: Error }> {
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (endpoint.apiKey) headers['X-API-Key'] = endpoint.apiKey;
        let res: Response;
        let text: string;
        try {
            res = await this.fetchFn(endpoint.url, {
                method: 'POST',
                headers,
                body: JSON.stringify({ id: 1, jsonrpc: '2.0', method, params }),
                signal: AbortSignal.timeout(this.timeoutMs),
            });
            text = await res.text();
        } catch (e) {
            const err = e as Error;
            return { kind: 'retry', reason: err.name === 'TimeoutError' ? `timed out after ${this.timeoutMs} ms` : err.message };
        }
        let body: Answer;
        try {
            body = JSON.parse(text);
        } catch {
            if (RETRYABLE_STATUS.has(res.status) || res.status >= 500) return { kind: 'retry', reason: `HTTP ${res.status} with a non-JSON body` };
            return { kind: 'fatal', error: new ChainResponseError(`${method} at ${endpoint.url}: HTTP ${res.status} with a non-JSON body`) };
        }
        if (res.status === 200 && body.ok === true) return { kind: 'ok', result: body.result };
        const code = typeof body.code === 'number' ? body.code : res.status;
        const message = typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
        if (RETRYABLE_STATUS.has(code) || (code === 500 && RETRYABLE_500.test(message))) return { kind: 'retry', reason: `${code} ${message}` };
        return { kind: 'fatal', error: new ChainApiError(method, code, message, endpoint.url) };
    }
}
