import { randomBytes } from 'crypto';
import { badRequest, notFound } from './errors';
import { answerWords, directives, promptTokens } from './text';

export type EnginePath = '/v1/chat/completions' | '/v1/completions';

/** Words in an answer that ends by itself (EOS) before any limit; `#length=N` in the prompt changes it. */
export const NATURAL_LENGTH = 16;
/** Completion tokens a tool call costs, whatever its (always `{}`) arguments. */
export const TOOL_CALL_TOKENS = 8;
/** The engine's "context length": larger limits are refused with 400, as vLLM does. */
export const MAX_COMPLETION_TOKENS = 100_000;

/** What the engine will answer to one request, independent of how it is rendered (JSON or SSE). */
export interface Plan {
    promptTokens: number;
    cachedTokens: number;
    /** All generated words; the first `reasoningTokens` of them are reasoning. */
    words: string[];
    reasoningTokens: number;
    completionTokens: number;
    finishReason: 'stop' | 'length' | 'tool_calls';
    tool: { id: string; name: string; arguments: string } | null;
    /** Alternatives per token when logprobs were requested, else null. */
    topLogprobs: number | null;
    includeUsage: boolean;
}

type Body = Record<string, unknown>;

/** Reads a request the way vLLM's OpenAI server would, keeping only what shapes the answer; other fields are ignored. */
export function planRequest(path: EnginePath, body: unknown, model: string): Plan {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('request body must be a JSON object');
    const b = body as Body;
    if (b.model !== undefined && b.model !== model) {
        if (typeof b.model !== 'string') throw badRequest('model must be a string', 'model');
        throw notFound(`The model \`${b.model}\` does not exist.`, 'model');
    }
    const chat = path === '/v1/chat/completions';
    const prompt = chat ? chatPrompt(b.messages) : completionPrompt(b.prompt);
    const limit = optionalInt(b, chat ? (b.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens') : 'max_tokens');
    const seed = optionalInt(b, 'seed', Number.MIN_SAFE_INTEGER);
    const dir = directives(prompt);
    const promptCount = promptTokens(prompt);
    const base = {
        promptTokens: promptCount,
        cachedTokens: Math.min(dir.cached ?? 0, promptCount),
        topLogprobs: logprobsRequest(chat, b),
        includeUsage: isObject(b.stream_options) && b.stream_options.include_usage === true,
    };
    const tool = chat ? chosenTool(b) : null;
    if (tool !== null) {
        const call = { id: `chatcmpl-tool-${randomBytes(8).toString('hex')}`, name: tool, arguments: '{}' };
        return { ...base, words: [], reasoningTokens: 0, completionTokens: TOOL_CALL_TOKENS, finishReason: 'tool_calls', tool: call };
    }
    const natural = dir.length ?? NATURAL_LENGTH;
    const count = Math.min(natural, limit ?? Infinity);
    const words = answerWords(prompt, seed, count);
    return {
        ...base,
        words,
        reasoningTokens: Math.min(dir.reasoning ?? 0, count),
        completionTokens: count,
        finishReason: limit !== undefined && natural >= limit ? 'length' : 'stop',
        tool: null,
    };
}

function isObject(v: unknown): v is Body {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** All message `content` strings and text parts, one per line. */
function chatPrompt(messages: unknown): string {
    if (!Array.isArray(messages) || messages.length === 0) throw badRequest('messages must be a non-empty array', 'messages');
    const texts: string[] = [];
    for (const m of messages) {
        if (!isObject(m)) throw badRequest('each message must be an object', 'messages');
        if (typeof m.content === 'string') texts.push(m.content);
        else if (Array.isArray(m.content)) {
            for (const part of m.content) if (isObject(part) && part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
        }
    }
    return texts.join('\n');
}

function completionPrompt(prompt: unknown): string {
    if (typeof prompt === 'string') return prompt;
    if (Array.isArray(prompt) && prompt.length > 0 && prompt.every((p) => typeof p === 'string')) return prompt.join('\n');
    throw badRequest('prompt must be a string or a non-empty array of strings', 'prompt');
}

function optionalInt(b: Body, field: string, min = 0): number | undefined {
    const v = b[field];
    if (v == null) return undefined;
    if (!Number.isSafeInteger(v) || (v as number) < min) throw badRequest(`${field} must be an integer >= ${min}`, field);
    if (field !== 'seed' && (v as number) > MAX_COMPLETION_TOKENS) {
        throw badRequest(`${field} must be at most ${MAX_COMPLETION_TOKENS} (the engine's context length)`, field);
    }
    return v as number;
}

/** Chat: `logprobs: true` with `top_logprobs` alternatives; completions: `logprobs: N`. */
function logprobsRequest(chat: boolean, b: Body): number | null {
    if (chat) return b.logprobs === true ? (Number.isSafeInteger(b.top_logprobs) ? (b.top_logprobs as number) : 0) : null;
    return Number.isSafeInteger(b.logprobs) ? (b.logprobs as number) : null;
}

/** The tool the answer calls: none when there are no tools or `tool_choice` is "none"; else the named or the first one. */
function chosenTool(b: Body): string | null {
    if (!Array.isArray(b.tools) || b.tools.length === 0 || b.tool_choice === 'none') return null;
    const names = b.tools.map((t) => (isObject(t) && isObject(t.function) && typeof t.function.name === 'string' ? t.function.name : null));
    if (names.some((n) => n === null)) throw badRequest('each tool must be {type: "function", function: {name}}', 'tools');
    if (isObject(b.tool_choice)) {
        const fn = b.tool_choice.function;
        const wanted = isObject(fn) ? fn.name : undefined;
        if (typeof wanted !== 'string' || !names.includes(wanted)) throw badRequest('tool_choice names a tool that is not in tools', 'tool_choice');
        return wanted;
    }
    return names[0];
}
