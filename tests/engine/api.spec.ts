import { answerWords, MAX_REQUEST_BYTES, MODEL_CREATED, NATURAL_LENGTH, TestEngine, TOOL_CALL_TOKENS } from '../../offchain/engine';
import { chat, post, postJson, streamEvents } from './helpers';

const usage = (prompt: number, completion: number, cached = 0, reasoning = 0) => ({
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached },
    completion_tokens_details: { reasoning_tokens: reasoning },
});

describe('test engine: OpenAI API shapes, deterministic text and exact usage', () => {
    let engine: TestEngine;

    beforeAll(async () => {
        engine = await TestEngine.start();
    });
    afterAll(() => engine.stop());

    it('lists its one model with a fixed creation time', async () => {
        const res = await fetch(engine.url + '/v1/models');
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ object: 'list', data: [{ id: 'test-model', object: 'model', created: MODEL_CREATED, owned_by: 'cocoon-test-engine' }] });
        expect(engine.url).toBe(`http://127.0.0.1:${engine.port}`);
    });

    it('answers a chat completion with 16 words, finish_reason stop and exact usage', async () => {
        const { status, json } = await postJson(engine, '/v1/chat/completions', chat('What is the capital of France?'));
        expect(status).toBe(200);
        expect(json.id).toMatch(/^chatcmpl-[0-9a-f]{24}$/);
        expect(json.object).toBe('chat.completion');
        expect(json.model).toBe('test-model');
        expect(Math.abs(json.created - Date.now() / 1000)).toBeLessThan(5);
        const words = answerWords('What is the capital of France?', undefined, NATURAL_LENGTH);
        expect(json.choices).toEqual([
            { index: 0, message: { role: 'assistant', content: words.join(' '), tool_calls: [] }, logprobs: null, finish_reason: 'stop', stop_reason: null },
        ]);
        expect(json.usage).toEqual(usage(6, 16));
        expect(engine.requests.at(-1)).toEqual({ path: '/v1/chat/completions', body: chat('What is the capital of France?') });
    });

    it('counts all message contents and text parts as the prompt; the limit cuts the answer with finish_reason length', async () => {
        const messages = [
            { role: 'system', content: 'be brief' },
            { role: 'user', content: [{ type: 'text', text: 'one two' }, { type: 'image_url', image_url: { url: 'x' } }, { type: 'text', text: 'three' }] },
        ];
        const { json } = await postJson(engine, '/v1/chat/completions', { model: 'test-model', messages, max_tokens: 5 });
        expect(json.choices[0].message.content).toBe(answerWords('be brief\none two\nthree', undefined, 5).join(' '));
        expect(json.choices[0].finish_reason).toBe('length');
        expect(json.usage).toEqual(usage(5, 5));
        // max_completion_tokens wins over max_tokens, as in vLLM
        const both = await postJson(engine, '/v1/chat/completions', chat('x', { max_tokens: 5, max_completion_tokens: 3 }));
        expect(both.json.usage.completion_tokens).toBe(3);
        // a limit above the natural length does not stretch the answer: it ends by itself
        const big = await postJson(engine, '/v1/chat/completions', chat('x', { max_completion_tokens: 40 }));
        expect(big.json.usage).toEqual(usage(1, 16));
        expect(big.json.choices[0].finish_reason).toBe('stop');
        const long = await postJson(engine, '/v1/chat/completions', chat('x #length=40', { max_completion_tokens: 40 }));
        expect(long.json.usage).toEqual(usage(2, 40));
        expect(long.json.choices[0].message.content.split(' ')).toHaveLength(40);
        const zero = await postJson(engine, '/v1/chat/completions', chat('', { max_tokens: 0 }));
        expect(zero.json.choices[0].message.content).toBe('');
        expect(zero.json.usage).toEqual(usage(1, 0));
    });

    it('gives the same text for the same prompt and seed, and another text for another seed', async () => {
        const text = async (seed?: number) => {
            const { json } = await postJson(engine, '/v1/chat/completions', chat('tell me a story', seed === undefined ? {} : { seed }));
            return json.choices[0].message.content;
        };
        const a = await text(7);
        expect(await text(7)).toBe(a);
        expect(a).toBe(answerWords('tell me a story', 7, 16).join(' '));
        expect(await text(8)).not.toBe(a);
        expect(await text()).not.toBe(a);
        expect(await text()).toBe(await text());
    });

    it('answers completions (string or array prompt) in text_completion shape', async () => {
        const { json } = await postJson(engine, '/v1/completions', { model: 'test-model', prompt: 'Once upon a time', max_tokens: 4 });
        expect(json.id).toMatch(/^cmpl-/);
        expect(json.object).toBe('text_completion');
        const text = answerWords('Once upon a time', undefined, 4).join(' ');
        expect(json.choices).toEqual([{ index: 0, text, logprobs: null, finish_reason: 'length', stop_reason: null }]);
        expect(json.usage).toEqual(usage(4, 4));
        const arr = await postJson(engine, '/v1/completions', { prompt: ['a b', 'c'] });
        expect(arr.json.usage).toEqual(usage(3, 16));
        expect(arr.json.choices[0].finish_reason).toBe('stop');
        expect(arr.json.choices[0].text).toBe(answerWords('a b\nc', undefined, 16).join(' '));
    });

    it('streams one SSE event per word, with a role event, a finish event, the usage event and [DONE]', async () => {
        const { events, done } = await streamEvents(engine, '/v1/chat/completions', chat('hello there', { max_tokens: 3, stream_options: { include_usage: true } }));
        expect(done).toBe(true);
        const words = answerWords('hello there', undefined, 3);
        expect(events).toHaveLength(6);
        const id = events[0].id;
        expect(id).toMatch(/^chatcmpl-/);
        for (const e of events) expect(e).toMatchObject({ id, object: 'chat.completion.chunk', model: 'test-model', created: events[0].created });
        expect(events.map((e) => e.choices)).toEqual([
            [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
            [{ index: 0, delta: { content: words[0] }, logprobs: null, finish_reason: null }],
            [{ index: 0, delta: { content: ` ${words[1]}` }, logprobs: null, finish_reason: null }],
            [{ index: 0, delta: { content: ` ${words[2]}` }, logprobs: null, finish_reason: null }],
            [{ index: 0, delta: {}, logprobs: null, finish_reason: 'length', stop_reason: null }],
            [],
        ]);
        expect(events[5].usage).toEqual(usage(2, 3));
        expect(events.slice(0, 5).every((e) => e.usage === undefined)).toBe(true);
    });

    it('streams without a usage event unless include_usage is set', async () => {
        const { events } = await streamEvents(engine, '/v1/chat/completions', chat('hello', { max_tokens: 2 }));
        expect(events).toHaveLength(4);
        expect(events.some((e) => 'usage' in e)).toBe(false);
    });

    it('streams completions, one text event per word', async () => {
        const { events, done } = await streamEvents(engine, '/v1/completions', { prompt: 'abc', max_tokens: 2, stream_options: { include_usage: true } });
        expect(done).toBe(true);
        const words = answerWords('abc', undefined, 2);
        expect(events.map((e) => e.object)).toEqual(Array(4).fill('text_completion'));
        expect(events.map((e) => e.choices)).toEqual([
            [{ index: 0, text: words[0], logprobs: null, finish_reason: null }],
            [{ index: 0, text: ` ${words[1]}`, logprobs: null, finish_reason: null }],
            [{ index: 0, text: '', logprobs: null, finish_reason: 'length', stop_reason: null }],
            [],
        ]);
        expect(events[3].usage).toEqual(usage(1, 2));
    });

    it('reports cached tokens from #cached=N, capped at the prompt', async () => {
        expect((await postJson(engine, '/v1/chat/completions', chat('a b c #cached=2'))).json.usage).toEqual(usage(4, 16, 2));
        expect((await postJson(engine, '/v1/completions', { prompt: 'a #cached=99', max_tokens: 1 })).json.usage).toEqual(usage(2, 1, 2));
    });

    it('makes the first N completion tokens reasoning with #reasoning=N', async () => {
        const prompt = 'think hard #reasoning=3';
        const words = answerWords(prompt, undefined, 5);
        const { json } = await postJson(engine, '/v1/chat/completions', chat(prompt, { max_tokens: 5 }));
        expect(json.choices[0].message).toEqual({ role: 'assistant', reasoning_content: words.slice(0, 3).join(' '), content: words.slice(3).join(' '), tool_calls: [] });
        expect(json.usage).toEqual(usage(3, 5, 0, 3));
        const { events } = await streamEvents(engine, '/v1/chat/completions', chat(prompt, { max_tokens: 5, stream_options: { include_usage: true } }));
        expect(events.slice(1, 6).map((e) => e.choices[0].delta)).toEqual([
            { reasoning_content: words[0] },
            { reasoning_content: ` ${words[1]}` },
            { reasoning_content: ` ${words[2]}` },
            { content: words[3] },
            { content: ` ${words[4]}` },
        ]);
        expect(events.at(-1).usage).toEqual(usage(3, 5, 0, 3));
        // more reasoning than the limit: all of the answer is reasoning
        expect((await postJson(engine, '/v1/completions', { prompt: '#reasoning=9', max_tokens: 2 })).json.usage).toEqual(usage(1, 2, 0, 2));
    });

    it('ends early with finish_reason stop on #length=N below the limit', async () => {
        const short = await postJson(engine, '/v1/chat/completions', chat('#length=3', { max_tokens: 10 }));
        expect(short.json.choices[0].finish_reason).toBe('stop');
        expect(short.json.usage).toEqual(usage(1, 3));
        const cut = await postJson(engine, '/v1/chat/completions', chat('#length=30', { max_tokens: 10 }));
        expect(cut.json.choices[0].finish_reason).toBe('length');
        expect(cut.json.usage).toEqual(usage(1, 10));
        expect((await postJson(engine, '/v1/chat/completions', chat('#length=30'))).json.usage).toEqual(usage(1, 30));
    });

    it('calls the first tool, or the one tool_choice names, with {} arguments', async () => {
        const tools = ['get_weather', 'get_time'].map((name) => ({ type: 'function', function: { name, parameters: { type: 'object', properties: {} } } }));
        const { json } = await postJson(engine, '/v1/chat/completions', chat('weather?', { tools }));
        expect(json.choices[0].finish_reason).toBe('tool_calls');
        expect(json.choices[0].message.content).toBeNull();
        expect(json.choices[0].message.tool_calls).toEqual([
            { id: expect.stringMatching(/^chatcmpl-tool-/), type: 'function', function: { name: 'get_weather', arguments: '{}' } },
        ]);
        expect(json.usage).toEqual(usage(1, TOOL_CALL_TOKENS));
        expect(TOOL_CALL_TOKENS).toBe(8);

        const named = await postJson(engine, '/v1/chat/completions', chat('time?', { tools, tool_choice: { type: 'function', function: { name: 'get_time' } } }));
        expect(named.json.choices[0].message.tool_calls[0].function.name).toBe('get_time');
        const none = await postJson(engine, '/v1/chat/completions', chat('time?', { tools, tool_choice: 'none', max_tokens: 2 }));
        expect(none.json.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: answerWords('time?', undefined, 2).join(' ') } });
        const unknown = await postJson(engine, '/v1/chat/completions', chat('time?', { tools, tool_choice: { type: 'function', function: { name: 'nope' } } }));
        expect(unknown.status).toBe(400);
        expect(unknown.json.error.param).toBe('tool_choice');

        const { events } = await streamEvents(engine, '/v1/chat/completions', chat('weather?', { tools, stream_options: { include_usage: true } }));
        const deltas = events.slice(1, 3).map((e) => e.choices[0].delta);
        expect(deltas).toEqual([
            { tool_calls: [{ index: 0, id: expect.stringMatching(/^chatcmpl-tool-/), type: 'function', function: { name: 'get_weather', arguments: '' } }] },
            { tool_calls: [{ index: 0, function: { arguments: '{}' } }] },
        ]);
        expect(events[3].choices[0].finish_reason).toBe('tool_calls');
        expect(events[4].usage).toEqual(usage(1, 8));
    });

    it('includes deterministic logprobs when asked', async () => {
        const words = answerWords('p', undefined, 2);
        const { json } = await postJson(engine, '/v1/chat/completions', chat('p', { max_tokens: 2, logprobs: true, top_logprobs: 2 }));
        const content = json.choices[0].logprobs.content;
        expect(content).toHaveLength(2);
        expect(content[1]).toMatchObject({ token: ` ${words[1]}`, logprob: -0.5, bytes: [...Buffer.from(` ${words[1]}`)] });
        expect(content[1].top_logprobs).toHaveLength(2);
        expect(content[1].top_logprobs[0]).toMatchObject({ token: ` ${words[1]}`, logprob: -0.5 });
        expect(content[1].top_logprobs[1].logprob).toBe(-1.5);

        const cmpl = await postJson(engine, '/v1/completions', { prompt: 'p', max_tokens: 2, logprobs: 1 });
        expect(cmpl.json.choices[0].logprobs).toEqual({
            tokens: [words[0], ` ${words[1]}`],
            token_logprobs: [-0.5, -0.5],
            top_logprobs: [{ [words[0]]: -0.5 }, { [` ${words[1]}`]: -0.5 }],
            text_offset: [0, words[0].length],
        });
        const streamed = await streamEvents(engine, '/v1/chat/completions', chat('p', { max_tokens: 2, logprobs: true }));
        expect(streamed.events[2].choices[0].logprobs.content[0]).toMatchObject({ token: ` ${words[1]}`, logprob: -0.5, top_logprobs: [] });
    });

    it('answers errors in the OpenAI shape: unknown model 404, malformed JSON 400, bad fields 400, huge body 413', async () => {
        const unknown = await postJson(engine, '/v1/chat/completions', { ...chat('x'), model: 'gpt-9' });
        expect(unknown).toEqual({ status: 404, json: { error: { message: 'The model `gpt-9` does not exist.', type: 'NotFoundError', param: 'model', code: 404 } } });
        const malformed = await postJson(engine, '/v1/completions', '{"prompt": ');
        expect(malformed).toEqual({ status: 400, json: { error: { message: 'request body is not valid JSON', type: 'BadRequestError', param: null, code: 400 } } });
        const noMessages = await postJson(engine, '/v1/chat/completions', { model: 'test-model', messages: [] });
        expect(noMessages.status).toBe(400);
        expect(noMessages.json.error).toMatchObject({ param: 'messages', code: 400 });
        const badLimit = await postJson(engine, '/v1/completions', { prompt: 'x', max_tokens: -1 });
        expect(badLimit.json.error).toMatchObject({ param: 'max_tokens', code: 400 });
        const huge = await post(engine, '/v1/completions', { prompt: 'x'.repeat(MAX_REQUEST_BYTES) });
        expect(huge.status).toBe(413);
        expect(JSON.parse(huge.text).error.code).toBe(413);
        const noRoute = await postJson(engine, '/v1/embeddings', {});
        expect(noRoute.status).toBe(404);
        expect((await fetch(engine.url + '/v1/chat/completions')).status).toBe(405);
    });
});
