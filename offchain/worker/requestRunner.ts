import { StringDecoder } from 'string_decoder';
import { HTTP_STATUS, emptyUsage, type ErrorCode, type ProxyQuery, type Usage, type WorkerToProxy } from '../protocol';
import type { Logger } from '../runtime';
import { EngineError, type EngineClient, type EngineResponse } from './engineClient';
import { UsageMeter } from './meter';
import { RequestValidationError, validateRequest } from './validateRequest';

/** Why a request was stopped from outside the engine (the abort reason given to its signal). */
export class RequestAbort extends Error {
    constructor(
        readonly code: ErrorCode,
        message: string,
    ) {
        super(message);
        this.name = 'RequestAbort';
    }
}

/** How a request ended, for metrics and logs. */
export type RequestOutcome = 'ok' | 'cut' | 'bad_request' | 'engine_error' | 'engine_refused' | ErrorCode;

export interface RequestResult {
    outcome: RequestOutcome;
    /** What the proxy was told was produced (and will be paid for). */
    usage: Usage;
}

export interface RunContext {
    engine: EngineClient;
    /** The base model name the engine serves. */
    model: string;
    engineTimeoutMs: number;
    send: (m: WorkerToProxy) => boolean;
    log: Logger;
}

/** Largest `answer.part` data, well under the frame limit even when every character needs a JSON escape. */
const PART_CHARS = 512 * 1024;
/** How much of a failing engine's error body is quoted back. */
const ERROR_SNIPPET_BYTES = 2048;
/** The head's schema: at most 64 headers, values up to 4096 characters. */
const MAX_HEADERS = 64;
const MAX_HEADER_VALUE = 4096;

/**
 * Runs one `proxy.query` against the engine and answers the proxy: `answer.head`, `answer.part`* (UTF-8 text, never a
 * split character), `answer.end{usage}`; or `answer.error`, with `started` telling whether the head went out and, once
 * it did, the usage the meter counted (the proxy charges for produced tokens). Never throws for a request's failure.
 *
 * An engine 5xx is reported as `engine_error` before any head, so the proxy can retry on another worker; a 4xx is
 * the request's own fault, identical on every worker, so it is relayed as the engine wrote it. A stream that runs
 * past the reservation (an engine ignoring its max_tokens) is cut and paid only up to the reservation.
 */
export async function runRequest(q: ProxyQuery, signal: AbortSignal, ctx: RunContext): Promise<RequestResult> {
    const requestId = q.requestId;
    const fail = (code: ErrorCode, message: string, started: boolean, usage?: Usage): RequestResult => {
        const status = HTTP_STATUS[code];
        ctx.send({ type: 'answer.error', requestId, code, message: message.slice(0, 1000), status, started, ...(usage ? { usage } : {}) });
        return { outcome: code, usage: usage ?? emptyUsage() };
    };

    let validated;
    try {
        validated = validateRequest(q.path, JSON.parse(q.body), { model: ctx.model, maxTokens: q.maxTokens });
    } catch (e) {
        if (e instanceof SyntaxError) return fail('bad_request', `request body is not JSON: ${e.message}`, false);
        if (e instanceof RequestValidationError) return fail('bad_request', e.message, false);
        throw e;
    }

    let res: EngineResponse;
    try {
        res = await ctx.engine.forward(q.path, validated.body, { signal, timeoutMs: ctx.engineTimeoutMs });
    } catch (e) {
        if (e instanceof RequestAbort) return fail(e.code, e.message, false);
        if (e instanceof EngineError) return fail('engine_error', e.message, false);
        throw e;
    }
    if (res.status >= 500) {
        const detail = await snippet(res);
        fail('engine_error', `engine answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`, false);
        return { outcome: 'engine_refused', usage: emptyUsage() };
    }

    const meter = new UsageMeter({ stream: validated.stream });
    const decoder = new StringDecoder('utf8');
    // A stream's head and its leading events without output (vLLM's role delta comes at once) are held until the
    // first generated token: the proxy's first-token timeout then catches an engine that hangs before it, and a
    // failure before it leaves nothing started, so the proxy may retry on another worker.
    let headSent = false;
    let held = '';
    const flushHead = () => {
        if (headSent) return;
        headSent = true;
        ctx.send({ type: 'answer.head', requestId, status: res.status, headers: relayable(res.headers) });
        part(held);
        held = '';
    };
    const emit = (text: string) => {
        if (!headSent && validated.stream && meter.chunksWithContent === 0) held += text;
        else {
            flushHead();
            part(text);
        }
    };
    const part = (text: string) => {
        for (let at = 0; at < text.length; ) {
            let end = Math.min(at + PART_CHARS, text.length);
            // never between the two halves of a surrogate pair: each part must be valid UTF-16, hence valid UTF-8
            if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
            ctx.send({ type: 'answer.part', requestId, data: text.slice(at, end) });
            at = end;
        }
    };
    let cut = false;
    try {
        for await (const chunk of res.body) {
            meter.push(chunk);
            emit(decoder.write(chunk));
            if (validated.stream && meter.exceeded(q.maxTokens)) {
                cut = true;
                break; // leaving the loop drops the engine connection, which stops generation
            }
        }
    } catch (e) {
        // a character cut short by the failure is not sent: the client gets whole characters only
        meter.end();
        const usage = meter.usage();
        if (e instanceof RequestAbort) return fail(e.code, e.message, headSent, usage);
        return fail('engine_error', e instanceof EngineError ? e.message : `engine stream failed: ${(e as Error).message}`, headSent, usage);
    }
    meter.end();
    flushHead();
    part(decoder.end());
    let usage = meter.usage();
    if (cut) {
        const cap = (n: number) => Math.min(n, q.maxTokens);
        usage = { ...usage, completionTokens: cap(usage.completionTokens), reasoningTokens: cap(usage.reasoningTokens) };
        ctx.log.warn('engine stream ran past the reservation, cut', { reservation: q.maxTokens, produced: meter.chunksWithContent });
    }
    ctx.send({ type: 'answer.end', requestId, usage });
    return { outcome: cut ? 'cut' : 'ok', usage };
}

function isHighSurrogate(code: number): boolean {
    return code >= 0xd800 && code <= 0xdbff;
}

function relayable(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).filter(([, v]) => v.length <= MAX_HEADER_VALUE).slice(0, MAX_HEADERS));
}

/** The start of an error body, as text; what cannot be read is left out. */
async function snippet(res: EngineResponse): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
        for await (const chunk of res.body) {
            chunks.push(chunk);
            size += chunk.length;
            if (size >= ERROR_SNIPPET_BYTES) break;
        }
    } catch {
        // the engine broke off its own error answer: quote what arrived
    }
    const text = Buffer.concat(chunks).subarray(0, ERROR_SNIPPET_BYTES).toString('utf8');
    try {
        const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
        if (typeof message === 'string') return message;
    } catch {
        // not OpenAI's error shape: quote the text
    }
    return text.trim();
}
