/**
 * The worker's allowlist for requests it forwards to the engine, after COCOON's ValidateRequest, plus the fields
 * COCOON dropped (tools, tool_choice, logprobs, top_logprobs, seed, response_format, user, logit_bias) and with its
 * bugs fixed (`prediction` is an object, `suffix` a string). Every field is type-checked; an unknown field is an
 * error rather than silently forwarded, so nothing the worker cannot meter reaches the engine. A field set to null
 * counts as absent (clients send null for "default") and is not forwarded.
 */
export type EnginePath = '/v1/chat/completions' | '/v1/completions';

export interface ValidateOptions {
    /** The base model name the worker serves; `model` must equal it. */
    model: string;
    /** The most completion tokens the client's reservation pays for. */
    maxTokens: number;
}

export interface ValidatedRequest {
    /** The body to forward: a copy of the request with the rewrites applied. */
    body: Record<string, unknown>;
    stream: boolean;
    /** The completion-token limit the engine was given (never above the cap). */
    maxTokens: number;
}

/** A request the worker will not forward; `field` is the dotted path of the offending field ('' for the body). */
export class RequestValidationError extends Error {
    constructor(
        readonly field: string,
        message: string,
    ) {
        super(message);
        this.name = 'RequestValidationError';
    }
}

type Body = Record<string, unknown>;
type Check = (value: unknown, field: string) => void;

const fail = (field: string, message: string): never => {
    throw new RequestValidationError(field, `${field} ${message}`);
};

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

const bool: Check = (v, f) => {
    if (typeof v !== 'boolean') fail(f, 'must be a boolean');
};
const string: Check = (v, f) => {
    if (typeof v !== 'string') fail(f, 'must be a string');
};
const object: Check = (v, f) => {
    if (!isObject(v)) fail(f, 'must be an object');
};
const number = (min: number, max: number): Check => (v, f) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(f, 'must be a number');
    if ((v as number) < min || (v as number) > max) fail(f, `must be between ${min} and ${max}`);
};
const integer = (min: number, max = Number.MAX_SAFE_INTEGER): Check => (v, f) => {
    if (!Number.isSafeInteger(v)) fail(f, 'must be an integer');
    if ((v as number) < min || (v as number) > max) {
        fail(f, max === Number.MAX_SAFE_INTEGER ? `must be at least ${min}` : `must be between ${min} and ${max}`);
    }
};
const seed: Check = (v, f) => {
    if (!Number.isSafeInteger(v)) fail(f, 'must be an integer');
};
/** `n` and `best_of` above 1 multiply the output, which one reservation cannot meter; only 1 is accepted. */
const single: Check = (v, f) => {
    integer(1)(v, f);
    if (v !== 1) fail(f, 'must be 1: several choices cannot be metered against one reservation');
};
const penalty = number(-2, 2);
const stop: Check = (v, f) => {
    if (typeof v === 'string') return;
    if (!Array.isArray(v) || v.length > 4 || !v.every((s) => typeof s === 'string')) fail(f, 'must be a string or an array of at most 4 strings');
};
const logitBias: Check = (v, f) => {
    object(v, f);
    for (const [k, bias] of Object.entries(v as Body)) if (typeof bias !== 'number' || !Number.isFinite(bias)) fail(`${f}.${k}`, 'must be a number');
};
const objectOf = (fields: Record<string, Check>): Check => (v, f) => {
    object(v, f);
    for (const [k, value] of Object.entries(v as Body)) {
        const check = Object.hasOwn(fields, k) ? fields[k] : fail(`${f}.${k}`, 'is not an allowed field');
        check(value, `${f}.${k}`);
    }
};
const streamOptions = objectOf({ include_usage: bool, include_obfuscation: bool });
const messages: Check = (v, f) => {
    if (!Array.isArray(v) || v.length === 0) fail(f, 'must be a non-empty array');
    (v as unknown[]).forEach((m, i) => object(m, `${f}[${i}]`));
};
const tools: Check = (v, f) => {
    if (!Array.isArray(v)) fail(f, 'must be an array');
    (v as unknown[]).forEach((t, i) => object(t, `${f}[${i}]`));
};
const toolChoice: Check = (v, f) => {
    if (typeof v !== 'string' && !isObject(v)) fail(f, 'must be a string or an object');
};
const prompt: Check = (v, f) => {
    if (typeof v === 'string') return;
    if (!Array.isArray(v) || v.length === 0 || !v.every((p) => typeof p === 'string')) fail(f, 'must be a string or a non-empty array of strings');
};
const tokens = integer(0);

const common: Record<string, Check> = {
    model: string, // and then compared with the served model
    frequency_penalty: penalty,
    presence_penalty: penalty,
    max_tokens: tokens,
    n: single,
    seed,
    stop,
    stream: bool,
    stream_options: streamOptions,
    temperature: number(0, 2),
    top_p: number(0, 1),
    user: string,
    logit_bias: logitBias,
};

const CHAT_FIELDS: Record<string, Check> = {
    ...common,
    messages,
    max_completion_tokens: tokens,
    parallel_tool_calls: bool,
    prediction: object,
    reasoning_effort: string,
    response_format: object,
    verbosity: string,
    chat_template_kwargs: objectOf({ enable_thinking: bool }),
    tools,
    tool_choice: toolChoice,
    logprobs: bool,
    top_logprobs: integer(0, 20),
};

const COMPLETION_FIELDS: Record<string, Check> = {
    ...common,
    prompt,
    best_of: single,
    echo: bool,
    suffix: string,
    logprobs: integer(0, 5),
    skip_special_tokens: bool,
};

/**
 * Checks `body` against the allowlist of `path` and returns the body to forward, rewritten so that it can be metered:
 * - a stream always reports usage (`stream_options.include_usage = true`); `stream_options` without `stream` means a stream;
 * - the completion-token limit never exceeds `opts.maxTokens`: chat sends `max_completion_tokens` (dropping
 *   `max_tokens` when both were given), or `max_tokens` when only that was given; completions send `max_tokens`.
 */
export function validateRequest(path: EnginePath, body: unknown, opts: ValidateOptions): ValidatedRequest {
    if (!Number.isSafeInteger(opts.maxTokens) || opts.maxTokens < 0) throw new RangeError('maxTokens must be a non-negative integer');
    const chat = path === '/v1/chat/completions';
    if (!chat && path !== '/v1/completions') throw new RequestValidationError('', `unsupported path ${String(path)}`);
    if (!isObject(body)) throw new RequestValidationError('', 'request body must be a JSON object');
    const fields = chat ? CHAT_FIELDS : COMPLETION_FIELDS;
    const out: Body = {};
    for (const [key, value] of Object.entries(body)) {
        if (!Object.hasOwn(fields, key)) throw new RequestValidationError(key, `unknown field ${key}`);
        if (value === null) continue; // clients send null for "default"; the engine gets the field left out
        fields[key](value, key);
        out[key] = value;
    }
    const required = chat ? 'messages' : 'prompt';
    if (out[required] === undefined) fail(required, 'is required');
    if (out.model === undefined) fail('model', 'is required');
    if (out.model !== opts.model) fail('model', `must be "${opts.model}" (the model this worker serves), not "${out.model as string}"`);

    if (out.stream_options !== undefined) {
        if (out.stream === false) fail('stream_options', 'is only allowed when stream is true');
        out.stream = true;
    }
    const stream = out.stream === true;
    if (stream) out.stream_options = { ...(out.stream_options as Body | undefined), include_usage: true };

    const cap = opts.maxTokens;
    let maxTokens: number;
    if (chat && out.max_completion_tokens === undefined && out.max_tokens !== undefined) {
        maxTokens = out.max_tokens = Math.min(out.max_tokens as number, cap);
    } else if (chat) {
        maxTokens = out.max_completion_tokens = Math.min((out.max_completion_tokens as number | undefined) ?? cap, cap);
        delete out.max_tokens;
    } else {
        maxTokens = out.max_tokens = Math.min((out.max_tokens as number | undefined) ?? cap, cap);
    }
    return { body: out, stream, maxTokens };
}
