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

/**
 * Framing headers are the relaying server's own business; content-encoding goes too because fetch has already
 * decoded the body.
 */
const DROPPED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'content-encoding']);

export class EngineClient {
    private readonly url: string;
    private readonly timeoutMs: number;
    private readonly healthPollMs: number;
    private isHealthy = false;
    private healthTimer: NodeJS.Timeout | null = null;
    private healthRun = 0;

    constructor(opts: EngineClientOptions) {
        if (!URL.canParse(opts.url)) throw new RangeError(`engine url '${opts.url}' is not a valid URL`);
        this.url = opts.url.replace(/\/+$/, '');
        this.timeoutMs = opts.timeoutMs ?? 120_000;
        this.healthPollMs = opts.healthPollMs ?? 2000;
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
        const controller = new AbortController();
        const signal = opts.signal;
        const onAbort = () => controller.abort(signal?.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        if (signal?.aborted) onAbort();
        let timedOut = false;
        let timer: NodeJS.Timeout | undefined;
        const arm = () => {
            clearTimeout(timer);
            timer = setTimeout(() => {
                timedOut = true;
                controller.abort();
            }, timeoutMs);
        };
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
        let res: Response;
        try {
            res = await fetch(this.url + path, {
                method: 'POST',
                headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
                body: JSON.stringify(body),
                signal: controller.signal,
            });
        } catch (e) {
            release();
            throw failure(e, 'answer');
        }
        clearTimeout(timer);
        const headers: Record<string, string> = {};
        res.headers.forEach((value, name) => {
            if (!DROPPED_HEADERS.has(name.toLowerCase())) headers[name] = value;
        });
        const reader = res.body?.getReader();
        async function* chunks(): AsyncGenerator<Buffer> {
            if (!reader) return release();
            let finished = false;
            try {
                for (;;) {
                    arm();
                    let step: Awaited<ReturnType<typeof reader.read>>;
                    try {
                        step = await reader.read();
                    } catch (e) {
                        throw failure(e, 'data');
                    }
                    clearTimeout(timer); // the consumer's own pace is not the engine's stall
                    if (step.done) break;
                    yield Buffer.from(step.value);
                }
                finished = true;
            } finally {
                release();
                if (!finished) controller.abort(); // the consumer stopped early or the read failed: drop the connection
            }
        }
        return { status: res.status, headers, body: chunks() };
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
}

/** fetch hides the network error in `cause`: show it, it says what went wrong (ECONNREFUSED, ECONNRESET, ...). */
function describe(e: unknown): string {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const cause = err.cause?.code ?? err.cause?.message;
    return cause ? `${err.message} (${cause})` : String(err.message ?? e);
}
