import type { Receipt } from '../protocol';
import { APIError } from './errors';

/**
 * Parts of one answer as they arrive, for a single consumer. Parts pushed before anyone reads are kept; a failure
 * is thrown after the parts that came before it.
 */
export class PartQueue implements AsyncIterable<string> {
    private readonly items: string[] = [];
    private ended = false;
    private error?: Error;
    private wake?: () => void;

    push(part: string): void {
        this.items.push(part);
        this.notify();
    }

    end(): void {
        this.ended = true;
        this.notify();
    }

    fail(error: Error): void {
        this.error = error;
        this.notify();
    }

    async *[Symbol.asyncIterator](): AsyncIterator<string> {
        for (;;) {
            if (this.items.length > 0) {
                yield this.items.shift()!;
                continue;
            }
            if (this.error) throw this.error;
            if (this.ended) return;
            await new Promise<void>((resolve) => (this.wake = resolve));
        }
    }

    private notify(): void {
        const wake = this.wake;
        this.wake = undefined;
        wake?.();
    }
}

/**
 * A streamed completion, as the `openai` package's `Stream`: an async iterable of parsed chunks (server-sent events,
 * `[DONE]` ends it). Also the request's id, its verified receipt (resolves after the last chunk) and the controller
 * that aborts it (the client then cancels the request at the proxy).
 */
export class Stream<Chunk> implements AsyncIterable<Chunk> {
    constructor(
        private readonly parts: AsyncIterable<string>,
        readonly requestId: string,
        readonly receipt: Promise<Receipt>,
        readonly controller: AbortController,
    ) {}

    async *[Symbol.asyncIterator](): AsyncIterator<Chunk> {
        let buffer = '';
        for await (const part of this.parts) {
            buffer += part;
            let cut: number;
            while ((cut = eventEnd(buffer)) >= 0) {
                const event = buffer.slice(0, cut);
                buffer = buffer.slice(cut).replace(/^(\r?\n){2}/, '');
                const chunk = parseEvent<Chunk>(event);
                if (chunk === 'done') {
                    await this.drain();
                    return;
                }
                if (chunk !== undefined) yield chunk;
            }
        }
        const last = parseEvent<Chunk>(buffer);
        if (last !== undefined && last !== 'done') yield last;
    }

    /** After `[DONE]` the answer's end (and its receipt check) still has to come: a failed check must not pass silently. */
    private async drain(): Promise<void> {
        for await (const part of this.parts) void part;
    }
}

function eventEnd(buffer: string): number {
    const lf = buffer.indexOf('\n\n');
    const crlf = buffer.indexOf('\r\n\r\n');
    if (lf < 0) return crlf;
    return crlf < 0 ? lf : Math.min(lf, crlf);
}

/** One SSE event: its data lines joined; undefined for comments and empty events, 'done' for `[DONE]`. */
function parseEvent<Chunk>(event: string): Chunk | 'done' | undefined {
    let name = 'message';
    const data: string[] = [];
    for (const line of event.split(/\r?\n/)) {
        if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        else if (line.startsWith('event:')) name = line.slice(6).trim();
    }
    if (data.length === 0) return undefined;
    const text = data.join('\n');
    if (text === '[DONE]') return 'done';
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new APIError(undefined, `stream event is not JSON: ${text.slice(0, 200)}`, 'bad_stream');
    }
    const error = (parsed as { error?: { message?: string; code?: string } } | null)?.error;
    if (name === 'error' || error) throw new APIError(undefined, error?.message ?? text, error?.code ?? 'stream_error');
    return parsed as Chunk;
}
