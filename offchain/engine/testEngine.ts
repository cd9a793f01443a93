/**
 * The test engine, a stand-in for vLLM: an OpenAI-compatible HTTP server with deterministic answers and exact usage,
 * for testing the worker, proxy and client without a GPU. It speaks vLLM's OpenAI API shapes:
 * `GET /v1/models`, `POST /v1/chat/completions` and `POST /v1/completions`, JSON or SSE (`stream: true`).
 *
 * Text and usage (see text.ts and plan.ts):
 * - prompt_tokens = whitespace-separated words of the prompt, minimum 1. Chat: every message's `content` string and
 *   every `{type: 'text', text}` part, one per line; completions: the prompt string, or the array's strings.
 * - The answer is a deterministic word sequence from SHA-256 of (prompt text, `seed`): a different seed gives
 *   different text, which proves the seed reached the engine.
 * - completion_tokens = words produced = min(natural length, `max_completion_tokens ?? max_tokens`): an answer
 *   ends by itself after 16 words (finish_reason `stop`), as a model reaching its end-of-sequence token would,
 *   unless the limit cuts it first (`length`). `#length=N` in the prompt sets the natural length to N.
 * - One word is one token and, streamed, one SSE event `data: {json}\n\n`; the stream ends with `data: [DONE]\n\n`.
 *   With `stream_options.include_usage`, an event with `choices: []` and `usage` comes before `[DONE]`.
 * - `#cached=N` in the prompt: usage.prompt_tokens_details.cached_tokens = min(N, prompt_tokens).
 * - `#reasoning=N` in the prompt: the first min(N, completion_tokens) words are reasoning, counted in
 *   completion_tokens and reported as usage.completion_tokens_details.reasoning_tokens; chat sends them as
 *   `reasoning_content` (message or delta), completions keep them in `text`.
 * - Directive words are ordinary prompt words (they count in prompt_tokens).
 * - Chat with `tools` and `tool_choice` other than "none": one call to the first tool (or the one `tool_choice`
 *   names) with arguments `{}`, finish_reason `tool_calls`, completion_tokens = TOOL_CALL_TOKENS (8) whatever the
 *   limit, no reasoning; streamed as two `tool_calls` deltas (name, then arguments).
 * - Logprobs (chat `logprobs: true` + `top_logprobs`, completions `logprobs: N`): every token -0.5, alternatives
 *   the following vocabulary words at -1.5, -2.5, ...
 * - Other sampling fields (temperature, stop, n, ...) are accepted and ignored.
 * Errors are OpenAI-shaped `{error: {message, type, param, code}}`: 400 malformed, 404 unknown model or path,
 * 413 body over 1 MiB. `behave()` injects failures (see EngineBehaviour).
 */
import http from 'http';
import { AddressInfo } from 'net';
import { randomBytes } from 'crypto';
import { badRequest, EngineHttpError, notFound } from './errors';
import { EnginePath, planRequest } from './plan';
import { renderResponse, renderStream, ResponseMeta, StreamEvent } from './render';

export const MAX_REQUEST_BYTES = 1024 * 1024;
/** `created` of the model in `GET /v1/models`: fixed, so listings compare equal across runs. */
export const MODEL_CREATED = 1_700_000_000;
export const MODEL_OWNER = 'cocoon-test-engine';

export interface EngineBehaviour {
    /** Delay before every generated token after the first. */
    tokenDelayMs: number;
    /** Delay before the first generated token (default: tokenDelayMs). */
    firstTokenDelayMs: number | null;
    /** Answer completions with HTTP 500 before any token. */
    failBeforeFirstToken: boolean;
    /** Stream: destroy the connection after this many generated-token events; non-stream: destroy the socket. */
    failAfterTokens: number | null;
    /** Answer completions with HTTP 503 (overloaded). */
    refuse: boolean;
    /** `GET /v1/models` answers 503, as an engine that is starting or broken. */
    down: boolean;
}

export interface TestEngineOptions {
    port?: number;
    host?: string;
    model?: string;
    tokenDelayMs?: number;
    log?: (line: string) => void;
}

export interface RecordedRequest {
    path: string;
    body: unknown;
}

const isEnginePath = (path: string): path is EnginePath => path === '/v1/chat/completions' || path === '/v1/completions';

export class TestEngine {
    /** Parsed JSON bodies of the completion requests received, in order. */
    readonly requests: RecordedRequest[] = [];
    private readonly behaviour: EngineBehaviour;
    /** Delays in progress: stop() ends them, so an engine told to hang for minutes does not outlive its test. */
    private readonly delays = new Set<() => void>();

    private constructor(
        private readonly server: http.Server,
        readonly model: string,
        readonly port: number,
        readonly url: string,
        tokenDelayMs: number,
        private readonly log: (line: string) => void,
    ) {
        this.behaviour = { tokenDelayMs, firstTokenDelayMs: null, failBeforeFirstToken: false, failAfterTokens: null, refuse: false, down: false };
    }

    static async start(opts: TestEngineOptions = {}): Promise<TestEngine> {
        const host = opts.host ?? '127.0.0.1';
        const server = http.createServer();
        const port = await new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(opts.port ?? 0, host, () => {
                server.off('error', reject);
                resolve((server.address() as AddressInfo).port);
            });
        });
        const urlHost = host.includes(':') ? `[${host}]` : host;
        const url = `http://${urlHost}:${port}`;
        const engine = new TestEngine(server, opts.model ?? 'test-model', port, url, opts.tokenDelayMs ?? 0, opts.log ?? (() => {}));
        server.on('request', (req, res) => engine.handle(req, res));
        return engine;
    }

    /** Changes behaviour from now on; a stream in progress sees the change at its next token. */
    behave(change: Partial<EngineBehaviour>): void {
        Object.assign(this.behaviour, change);
    }

    async stop(): Promise<void> {
        for (const end of this.delays) end();
        const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
        this.server.closeAllConnections();
        await closed;
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        this.route(req, res).catch((e) => {
            const error = e instanceof EngineHttpError ? e : new EngineHttpError(500, String((e as Error).message ?? e), 'InternalServerError');
            if (!(e instanceof EngineHttpError)) this.log(`test engine: internal error: ${(e as Error).stack ?? e}`);
            if (res.headersSent) res.destroy();
            else sendJson(res, error.status, error.toJSON());
        });
    }

    private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const path = new URL(req.url ?? '/', 'http://engine').pathname.replace(/\/+$/, '');
        this.log(`test engine: ${req.method} ${path}`);
        if (path === '/v1/models') {
            if (req.method !== 'GET') throw new EngineHttpError(405, 'Method Not Allowed', 'MethodNotAllowed');
            if (this.behaviour.down) throw new EngineHttpError(503, 'The engine is down', 'ServiceUnavailableError');
            const card = { id: this.model, object: 'model', created: MODEL_CREATED, owned_by: MODEL_OWNER };
            return sendJson(res, 200, { object: 'list', data: [card] });
        }
        if (!isEnginePath(path)) throw notFound(`No route for ${path}`);
        if (req.method !== 'POST') throw new EngineHttpError(405, 'Method Not Allowed', 'MethodNotAllowed');
        const body = await readJson(req);
        this.requests.push({ path, body });
        if (this.behaviour.refuse) throw new EngineHttpError(503, 'The engine is overloaded, try again later', 'ServiceUnavailableError');
        if (this.behaviour.failBeforeFirstToken) throw new EngineHttpError(500, 'The engine failed before the first token', 'InternalServerError');
        const plan = planRequest(path, body, this.model);
        const meta: ResponseMeta = { id: randomBytes(12).toString('hex'), created: Math.floor(Date.now() / 1000), model: this.model };
        if ((body as Record<string, unknown>).stream === true) return this.stream(res, renderStream(path, plan, meta));
        await this.sleep(this.firstTokenDelay() + Math.max(0, plan.completionTokens - 1) * this.behaviour.tokenDelayMs);
        if (this.behaviour.failAfterTokens !== null) {
            req.socket.destroy();
            return;
        }
        sendJson(res, 200, renderResponse(path, plan, meta));
    }

    private async stream(res: http.ServerResponse, events: StreamEvent[]): Promise<void> {
        res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
        res.flushHeaders();
        let tokens = 0;
        for (const event of events) {
            if (event.token) {
                await this.sleep(tokens === 0 ? this.firstTokenDelay() : this.behaviour.tokenDelayMs);
                if (this.behaviour.failAfterTokens !== null && tokens >= this.behaviour.failAfterTokens) {
                    // close once what was written is flushed, without the chunked terminator: a broken stream
                    res.socket?.destroySoon();
                    return;
                }
                tokens++;
            }
            if (res.destroyed) return; // the client went away: stop generating
            await write(res, `data: ${JSON.stringify(event.data)}\n\n`);
        }
        res.end('data: [DONE]\n\n');
    }

    private sleep(ms: number): Promise<void> {
        if (ms <= 0) return Promise.resolve();
        return new Promise((resolve) => {
            const end = () => {
                clearTimeout(timer);
                this.delays.delete(end);
                resolve();
            };
            const timer = setTimeout(end, ms);
            this.delays.add(end);
        });
    }

    private firstTokenDelay(): number {
        return this.behaviour.firstTokenDelayMs ?? this.behaviour.tokenDelayMs;
    }
}

/** Writes with backpressure, so a slow reader slows generation down instead of filling memory. */
function write(res: http.ServerResponse, text: string): Promise<void> {
    if (res.write(text)) return Promise.resolve();
    return new Promise((resolve) => {
        const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
        };
        res.on('drain', done);
        res.on('close', done);
    });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
}

/** Reads at most MAX_REQUEST_BYTES; the rest of a larger body is drained unread so the 413 answer reaches the client. */
function readJson(req: http.IncomingMessage): Promise<unknown> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= MAX_REQUEST_BYTES) chunks.push(c);
        });
        req.on('error', reject);
        req.on('end', () => {
            if (size > MAX_REQUEST_BYTES) {
                return reject(new EngineHttpError(413, `Request body exceeds ${MAX_REQUEST_BYTES} bytes`, 'RequestTooLarge'));
            }
            try {
                resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            } catch {
                reject(badRequest('request body is not valid JSON'));
            }
        });
    });
}
