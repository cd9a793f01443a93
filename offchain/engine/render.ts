import type { EnginePath, Plan } from './plan';
import { VOCABULARY } from './text';

/** Identity of one response; every chunk of a stream repeats it, as OpenAI and vLLM do. */
export interface ResponseMeta {
    id: string;
    created: number;
    model: string;
}

/** One SSE event of a stream; `token` marks the events that carry generated output (delays and failures count these). */
export interface StreamEvent {
    data: Record<string, unknown>;
    token: boolean;
}

type Json = Record<string, unknown>;

/** Every generated token has log-probability -0.5; it is the first alternative, the next vocabulary words follow at -1.5, -2.5, ... */
const TOKEN_LOGPROB = -0.5;

export function usageOf(plan: Plan): Json {
    return {
        prompt_tokens: plan.promptTokens,
        total_tokens: plan.promptTokens + plan.completionTokens,
        completion_tokens: plan.completionTokens,
        prompt_tokens_details: { cached_tokens: plan.cachedTokens },
        completion_tokens_details: { reasoning_tokens: plan.reasoningTokens },
    };
}

/** Token texts as they are streamed: a space joins each word to the one before it within the same part. */
function pieces(words: string[]): string[] {
    return words.map((w, i) => (i === 0 ? w : ` ${w}`));
}

function alternatives(token: string, top: number): { token: string; logprob: number }[] {
    const first = VOCABULARY.indexOf(token.trim() as (typeof VOCABULARY)[number]);
    const out: { token: string; logprob: number }[] = [];
    for (let k = 0; k < top; k++) {
        out.push(k === 0 ? { token, logprob: TOKEN_LOGPROB } : { token: VOCABULARY[(first + k) % VOCABULARY.length], logprob: TOKEN_LOGPROB - k });
    }
    return out;
}

function chatLogprobs(tokens: string[], top: number): Json {
    return {
        content: tokens.map((token) => ({
            token,
            logprob: TOKEN_LOGPROB,
            bytes: [...Buffer.from(token)],
            top_logprobs: alternatives(token, top).map((a) => ({ ...a, bytes: [...Buffer.from(a.token)] })),
        })),
    };
}

function completionLogprobs(tokens: string[], top: number, offset: number): Json {
    const offsets: number[] = [];
    for (const t of tokens) {
        offsets.push(offset);
        offset += t.length;
    }
    return {
        tokens,
        token_logprobs: tokens.map(() => TOKEN_LOGPROB),
        top_logprobs: tokens.map((t) => Object.fromEntries(alternatives(t, top).map((a) => [a.token, a.logprob]))),
        text_offset: offsets,
    };
}

const stamp = (meta: ResponseMeta) => ({ created: meta.created, model: meta.model });

function split(plan: Plan): { reasoning: string[]; content: string[] } {
    return { reasoning: pieces(plan.words.slice(0, plan.reasoningTokens)), content: pieces(plan.words.slice(plan.reasoningTokens)) };
}

/** The non-streamed response body. */
export function renderResponse(path: EnginePath, plan: Plan, meta: ResponseMeta): Json {
    if (path === '/v1/completions') {
        const tokens = pieces(plan.words);
        const logprobs = plan.topLogprobs === null ? null : completionLogprobs(tokens, plan.topLogprobs, 0);
        const choice = { index: 0, text: tokens.join(''), logprobs, finish_reason: plan.finishReason, stop_reason: null };
        return { id: `cmpl-${meta.id}`, object: 'text_completion', ...stamp(meta), choices: [choice], usage: usageOf(plan) };
    }
    const { reasoning, content } = split(plan);
    const message: Json = { role: 'assistant', content: plan.tool ? null : content.join(''), tool_calls: [] };
    if (reasoning.length > 0) message.reasoning_content = reasoning.join('');
    if (plan.tool) message.tool_calls = [{ id: plan.tool.id, type: 'function', function: { name: plan.tool.name, arguments: plan.tool.arguments } }];
    const logprobs = plan.topLogprobs === null || plan.tool ? null : chatLogprobs(content, plan.topLogprobs);
    const choice = { index: 0, message, logprobs, finish_reason: plan.finishReason, stop_reason: null };
    return { id: `chatcmpl-${meta.id}`, object: 'chat.completion', ...stamp(meta), choices: [choice], usage: usageOf(plan) };
}

/** The streamed response as SSE events, without the final `[DONE]`. */
export function renderStream(path: EnginePath, plan: Plan, meta: ResponseMeta): StreamEvent[] {
    const completions = path === '/v1/completions';
    const head = completions
        ? { id: `cmpl-${meta.id}`, object: 'text_completion', ...stamp(meta) }
        : { id: `chatcmpl-${meta.id}`, object: 'chat.completion.chunk', ...stamp(meta) };
    const event = (choice: Json | null, token: boolean, extra: Json = {}): StreamEvent => ({
        data: { ...head, choices: choice ? [{ index: 0, ...choice }] : [], ...extra },
        token,
    });
    const events: StreamEvent[] = [];
    if (completions) {
        let offset = 0;
        for (const text of pieces(plan.words)) {
            const logprobs = plan.topLogprobs === null ? null : completionLogprobs([text], plan.topLogprobs, offset);
            events.push(event({ text, logprobs, finish_reason: null }, true));
            offset += text.length;
        }
        events.push(event({ text: '', logprobs: null, finish_reason: plan.finishReason, stop_reason: null }, false));
    } else {
        const { reasoning, content } = split(plan);
        events.push(event({ delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }, false));
        for (const r of reasoning) events.push(event({ delta: { reasoning_content: r }, logprobs: null, finish_reason: null }, true));
        for (const c of content) {
            const logprobs = plan.topLogprobs === null ? null : chatLogprobs([c], plan.topLogprobs);
            events.push(event({ delta: { content: c }, logprobs, finish_reason: null }, true));
        }
        if (plan.tool) {
            const { id, name, arguments: args } = plan.tool;
            const opening = { index: 0, id, type: 'function', function: { name, arguments: '' } };
            events.push(event({ delta: { tool_calls: [opening] }, logprobs: null, finish_reason: null }, true));
            events.push(event({ delta: { tool_calls: [{ index: 0, function: { arguments: args } }] }, logprobs: null, finish_reason: null }, true));
        }
        events.push(event({ delta: {}, logprobs: null, finish_reason: plan.finishReason, stop_reason: null }, false));
    }
    if (plan.includeUsage) events.push(event(null, false, { usage: usageOf(plan) }));
    return events;
}
