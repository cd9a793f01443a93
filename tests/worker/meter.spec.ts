import http from 'http';
import { TestEngine } from '../../offchain/engine';
import { UsageMeter } from '../../offchain/worker/meter';

async function raw(engine: TestEngine, path: string, body: Record<string, unknown>): Promise<Buffer> {
    const res = await fetch(engine.url + path, { method: 'POST', body: JSON.stringify(body) });
    return Buffer.from(await res.arrayBuffer());
}

function meter(stream: boolean, ...chunks: (Buffer | string)[]): UsageMeter {
    const m = new UsageMeter({ stream });
    for (const c of chunks) m.push(c);
    m.end();
    return m;
}

const sse = (...events: unknown[]) => events.map((e) => `data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`).join('');
const delta = (d: Record<string, unknown>) => ({ choices: [{ index: 0, delta: d }] });

describe('UsageMeter', () => {
    let engine: TestEngine;
    let stream: Buffer;
    const expected = { promptTokens: 5, cachedTokens: 3, completionTokens: 7, reasoningTokens: 2 };

    beforeAll(async () => {
        engine = await TestEngine.start();
        stream = await raw(engine, '/v1/chat/completions', {
            messages: [{ role: 'user', content: 'a b c #cached=3 #reasoning=2' }],
            max_tokens: 7,
            stream: true,
            stream_options: { include_usage: true },
        });
    });
    afterAll(() => engine.stop());

    /** Split positions at which the meter's result differs from the expected one (checked in bulk: it is thousands of runs). */
    const splitsThatDiffer = (body: Buffer): number[] => {
        const differ: number[] = [];
        for (let i = 1; i < body.length; i++) {
            const m = meter(true, body.subarray(0, i), body.subarray(i));
            const u = m.usage();
            const same = m.chunksWithContent === 7 && m.sawDone && (Object.keys(expected) as (keyof typeof expected)[]).every((k) => u[k] === expected[k]);
            if (!same) differ.push(i);
        }
        return differ;
    };

    it('meters a real SSE stream exactly, whole or split in two at every byte position', () => {
        const whole = meter(true, stream);
        expect(whole.usage()).toEqual(expected);
        expect(whole.chunksWithContent).toBe(7);
        expect(whole.sawDone).toBe(true);
        expect(splitsThatDiffer(stream)).toEqual([]);
    });

    it('meters the stream fed one byte at a time, and with CRLF line ends split at every position', () => {
        expect(meter(true, ...[...stream].map((b) => Buffer.from([b]))).usage()).toEqual(expected);
        const crlf = Buffer.from(stream.toString('utf8').replace(/\n/g, '\r\n'));
        expect(splitsThatDiffer(crlf)).toEqual([]);
    });

    it('decodes UTF-8 split inside a character', () => {
        const usage = { choices: [], usage: { prompt_tokens: 1, completion_tokens: 2 } };
        const body = Buffer.from(sse(delta({ content: 'héllo' }), delta({ content: '日本' }), usage, '[DONE]'));
        for (let i = 1; i < body.length; i++) {
            const m = meter(true, body.subarray(0, i), body.subarray(i));
            expect(m.chunksWithContent).toBe(2);
            expect(m.usage().completionTokens).toBe(2);
        }
    });

    it('meters JSON bodies of both endpoints', async () => {
        const chat = await raw(engine, '/v1/chat/completions', { messages: [{ role: 'user', content: 'x y #reasoning=1 #cached=1' }], max_tokens: 3 });
        expect(meter(false, chat.subarray(0, 10), chat.subarray(10)).usage()).toEqual({ promptTokens: 4, cachedTokens: 1, completionTokens: 3, reasoningTokens: 1 });
        const cmpl = await raw(engine, '/v1/completions', { prompt: 'x', max_tokens: 2 });
        const m = meter(false, cmpl);
        expect(m.usage()).toEqual({ promptTokens: 1, cachedTokens: 0, completionTokens: 2, reasoningTokens: 0 });
        expect(m.chunksWithContent).toBe(0);
        expect(meter(false, '{"error":').usage()).toEqual({ promptTokens: 0, cachedTokens: 0, completionTokens: 0, reasoningTokens: 0 });
    });

    it('meters a completions stream, text events counted', async () => {
        const body = await raw(engine, '/v1/completions', { prompt: 'p q', max_tokens: 4, stream: true, stream_options: { include_usage: true } });
        const m = meter(true, body);
        expect(m.chunksWithContent).toBe(4);
        expect(m.usage()).toEqual({ promptTokens: 2, cachedTokens: 0, completionTokens: 4, reasoningTokens: 0 });
    });

    it('counts a streamed tool call as output', async () => {
        const tools = [{ type: 'function', function: { name: 'f' } }];
        const messages = [{ role: 'user', content: 'x' }];
        const body = await raw(engine, '/v1/chat/completions', { messages, tools, stream: true, stream_options: { include_usage: true } });
        const m = meter(true, body);
        expect(m.chunksWithContent).toBe(2);
        expect(m.usage().completionTokens).toBe(8);
    });

    it('charges what was produced when a stream breaks off without usage', async () => {
        engine.behave({ failAfterTokens: 5 });
        let body: Buffer;
        try {
            body = await new Promise<Buffer>((resolve) => {
                const chunks: Buffer[] = [];
                const req = http.request(engine.url + '/v1/chat/completions', { method: 'POST' }, (res) => {
                    res.on('data', (c: Buffer) => chunks.push(c));
                    res.on('error', () => resolve(Buffer.concat(chunks)));
                    res.on('end', () => resolve(Buffer.concat(chunks)));
                });
                req.end(JSON.stringify({ messages: [{ role: 'user', content: 'x' }], max_tokens: 50, stream: true, stream_options: { include_usage: true } }));
            });
        } finally {
            engine.behave({ failAfterTokens: null });
        }
        const m = meter(true, body);
        expect(m.sawDone).toBe(false);
        expect(m.usage()).toEqual({ promptTokens: 0, cachedTokens: 0, completionTokens: 5, reasoningTokens: 0 });
        // a stream whose usage event reported running totals before breaking keeps the last known prompt count
        const partial = meter(true, sse({ ...delta({ content: 'a' }), usage: { prompt_tokens: 9 } }, delta({ content: 'b' })));
        expect(partial.usage()).toEqual({ promptTokens: 9, cachedTokens: 0, completionTokens: 2, reasoningTokens: 0 });
    });

    it('takes the largest value per field, accepts top-level reasoning_tokens and ignores anything not a non-negative integer', () => {
        const m = meter(
            true,
            sse(
                { choices: [], usage: { prompt_tokens: 4, completion_tokens: 3, reasoning_tokens: 2 } },
                { choices: [], usage: { prompt_tokens: 3, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 2 } } },
                { choices: [], usage: { prompt_tokens: -10, completion_tokens: 99.5, prompt_tokens_details: { cached_tokens: '7' }, completion_tokens_details: null } },
                { choices: [], usage: { prompt_tokens: 1e300, completion_tokens: Number.MAX_SAFE_INTEGER + 1 } },
                '[DONE]',
            ),
        );
        expect(m.usage()).toEqual({ promptTokens: 4, cachedTokens: 2, completionTokens: 5, reasoningTokens: 2 });
    });

    it('ignores comments, other fields, empty deltas, bad JSON and [DONE]; joins multi-line data', () => {
        const text =
            ': keep-alive\n\n' +
            'event: message\nid: 1\nretry: 10\n' +
            `data: ${JSON.stringify(delta({ role: 'assistant', content: '' }))}\n\n` +
            `data: ${JSON.stringify(delta({ content: 'x' }))}\n\n` +
            `data: ${JSON.stringify(delta({ reasoning_content: 'r' }))}\n\n` +
            `data: ${JSON.stringify(delta({ reasoning: 'r' }))}\n\n` +
            `data: ${JSON.stringify(delta({ tool_calls: [] }))}\n\n` +
            `data: ${JSON.stringify(delta({}))}\n\n` +
            'data: {not json}\n\n' +
            'data: {"choices":[{"index":0,\ndata: "delta":{"content":"y"}}]}\n\n' +
            'data:{"choices":[{"index":0,"text":"t"}]}\n\n' +
            'data: [DONE]\n\n';
        const m = meter(true, text);
        expect(m.chunksWithContent).toBe(5);
        expect(m.sawDone).toBe(true);
        expect(m.usage().completionTokens).toBe(5);
    });

    it('reports exceeded once output events pass the cap', () => {
        const m = new UsageMeter({ stream: true });
        m.push(sse(delta({ content: 'a' }), delta({ content: 'b' })));
        expect(m.exceeded(2)).toBe(false);
        m.push(sse(delta({ content: 'c' })));
        expect(m.exceeded(2)).toBe(true);
        expect(m.exceeded(3)).toBe(false);
    });

    it('counts an event whose blank line never came, if its data is whole', () => {
        expect(meter(true, `data: ${JSON.stringify(delta({ content: 'a' }))}`).chunksWithContent).toBe(1);
        expect(meter(true, 'data: {"choices":[{"delta":{"content":"a"').chunksWithContent).toBe(0);
    });
});
