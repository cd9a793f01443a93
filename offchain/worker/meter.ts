import { StringDecoder } from 'string_decoder';

/** Token counts of one answer, as the engine reported them. */
export interface MeteredUsage {
    promptTokens: number;
    cachedTokens: number;
    completionTokens: number;
    reasoningTokens: number;
}

type Json = Record<string, unknown>;
type Field = keyof MeteredUsage;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number | undefined => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : undefined);
const nonEmpty = (v: unknown): boolean => (typeof v === 'string' && v !== '') || (Array.isArray(v) && v.length > 0);

/**
 * Meters the engine's answer as it passes through the worker: a JSON body, or an SSE stream (`stream: true`).
 *
 * Usage is what the engine reported (`usage.prompt_tokens`, `usage.prompt_tokens_details.cached_tokens`,
 * `usage.completion_tokens`, `usage.completion_tokens_details.reasoning_tokens` or `usage.reasoning_tokens`);
 * only non-negative integers count, and in a stream the largest value seen per field wins (vLLM may report running
 * totals). A stream that ends without any completion_tokens (the engine failed mid-stream) is charged for what was
 * produced: completionTokens = chunksWithContent, promptTokens the last reported value or 0.
 *
 * In a stream it also counts the events that carry output (`chunksWithContent`: a choice with non-empty delta
 * content, reasoning_content, reasoning or tool_calls, or completions' text), one per generated token, so the worker
 * can cut a stream that runs past its reservation (`exceeded`). A JSON body counts no chunks.
 */
export class UsageMeter {
    private readonly stream: boolean;
    private readonly decoder = new StringDecoder('utf8');
    private readonly reported: Partial<MeteredUsage> = {};
    private text = '';
    /** Data lines of the SSE event being read. */
    private data: string[] = [];
    private contentChunks = 0;
    private done = false;

    constructor(opts: { stream: boolean }) {
        this.stream = opts.stream;
    }

    /** Generated-output events seen so far (stream only). */
    get chunksWithContent(): number {
        return this.contentChunks;
    }

    /** Whether the stream's `data: [DONE]` was seen: the engine finished normally. */
    get sawDone(): boolean {
        return this.done;
    }

    push(chunk: Buffer | string): void {
        this.text += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
        if (this.stream) this.readLines(false);
    }

    end(): void {
        this.text += this.decoder.end();
        if (!this.stream) {
            this.readJson();
            return;
        }
        this.readLines(true);
        this.dispatch(); // an event cut short of its blank line still counts if its data is whole
    }

    /** True once the stream produced more output events than `cap` tokens. */
    exceeded(cap: number): boolean {
        return this.contentChunks > cap;
    }

    usage(): MeteredUsage {
        const r = this.reported;
        return {
            promptTokens: r.promptTokens ?? 0,
            cachedTokens: r.cachedTokens ?? 0,
            completionTokens: r.completionTokens ?? (this.stream ? this.contentChunks : 0),
            reasoningTokens: r.reasoningTokens ?? 0,
        };
    }

    private readJson(): void {
        try {
            const body: unknown = JSON.parse(this.text);
            if (isObject(body)) this.record(body.usage);
        } catch {
            // not JSON (e.g. a cut body): nothing was reported
        }
        this.text = '';
    }

    /** Splits complete lines off the buffer; a trailing '\r' waits for the next chunk in case a '\n' follows it. */
    private readLines(final: boolean): void {
        let start = 0;
        for (let i = 0; i < this.text.length; i++) {
            const c = this.text[i];
            if (c !== '\n' && c !== '\r') continue;
            if (c === '\r' && i + 1 === this.text.length && !final) break;
            this.line(this.text.slice(start, i));
            if (c === '\r' && this.text[i + 1] === '\n') i++;
            start = i + 1;
        }
        this.text = this.text.slice(start);
        if (final && this.text !== '') {
            this.line(this.text);
            this.text = '';
        }
    }

    private line(line: string): void {
        if (line === '') return this.dispatch();
        if (line.startsWith(':')) return; // comment
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        if (name !== 'data') return;
        const value = colon < 0 ? '' : line.slice(colon + 1);
        this.data.push(value.startsWith(' ') ? value.slice(1) : value);
    }

    private dispatch(): void {
        if (this.data.length === 0) return;
        const data = this.data.join('\n');
        this.data = [];
        if (data === '[DONE]') {
            this.done = true;
            return;
        }
        let event: unknown;
        try {
            event = JSON.parse(data);
        } catch {
            return;
        }
        if (!isObject(event)) return;
        this.record(event.usage);
        if (Array.isArray(event.choices) && event.choices.some(carriesOutput)) this.contentChunks++;
    }

    private record(usage: unknown): void {
        if (!isObject(usage)) return;
        const prompt = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
        const completion = isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : {};
        this.max('promptTokens', usage.prompt_tokens);
        this.max('cachedTokens', prompt.cached_tokens);
        this.max('completionTokens', usage.completion_tokens);
        this.max('reasoningTokens', completion.reasoning_tokens);
        this.max('reasoningTokens', usage.reasoning_tokens);
    }

    private max(field: Field, value: unknown): void {
        const n = count(value);
        if (n !== undefined) this.reported[field] = Math.max(this.reported[field] ?? 0, n);
    }
}

function carriesOutput(choice: unknown): boolean {
    if (!isObject(choice)) return false;
    if (nonEmpty(choice.text)) return true;
    const delta = choice.delta;
    if (!isObject(delta)) return false;
    return nonEmpty(delta.content) || nonEmpty(delta.reasoning_content) || nonEmpty(delta.reasoning) || nonEmpty(delta.tool_calls);
}
