import OpenAI from 'openai';
import { answerWords, TestEngine } from '../../offchain/engine';

describe('test engine: the official openai package works against it unchanged', () => {
    let engine: TestEngine;
    let client: OpenAI;

    beforeAll(async () => {
        engine = await TestEngine.start();
        client = new OpenAI({ baseURL: engine.url + '/v1', apiKey: 'x', maxRetries: 0 });
    });
    afterAll(() => engine.stop());

    it('lists models', async () => {
        const ids: string[] = [];
        for await (const m of client.models.list()) ids.push(m.id);
        expect(ids).toEqual(['test-model']);
    });

    it('creates a chat completion', async () => {
        const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi there #cached=1' }];
        const res = await client.chat.completions.create({ model: 'test-model', messages, max_completion_tokens: 4, seed: 3 });
        expect(res.choices[0].message.content).toBe(answerWords('hi there #cached=1', 3, 4).join(' '));
        expect(res.choices[0].finish_reason).toBe('length');
        expect(res.usage).toEqual({
            prompt_tokens: 3,
            completion_tokens: 4,
            total_tokens: 7,
            prompt_tokens_details: { cached_tokens: 1 },
            completion_tokens_details: { reasoning_tokens: 0 },
        });
        expect(engine.requests.at(-1)?.body).toMatchObject({ seed: 3, max_completion_tokens: 4 });
    });

    it('streams a chat completion with usage via stream_options', async () => {
        const stream = await client.chat.completions.create({
            model: 'test-model',
            messages: [{ role: 'user', content: 'stream please' }],
            max_tokens: 6,
            stream: true,
            stream_options: { include_usage: true },
        });
        let text = '';
        let finish: string | null = null;
        let usage: OpenAI.CompletionUsage | null | undefined;
        for await (const chunk of stream) {
            text += chunk.choices[0]?.delta.content ?? '';
            finish = chunk.choices[0]?.finish_reason ?? finish;
            if (chunk.usage) usage = chunk.usage;
        }
        expect(text).toBe(answerWords('stream please', undefined, 6).join(' '));
        expect(finish).toBe('length');
        expect(usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 6, total_tokens: 8 });
    });

    it('assembles a streamed tool call with the stream helper', async () => {
        const runner = client.chat.completions.stream({
            model: 'test-model',
            messages: [{ role: 'user', content: 'weather in Paris' }],
            tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }],
            stream_options: { include_usage: true },
        });
        const done = await runner.finalChatCompletion();
        expect(done.choices[0].finish_reason).toBe('tool_calls');
        const call = done.choices[0].message.tool_calls![0];
        expect(call.type === 'function' && call.function).toEqual({ name: 'get_weather', arguments: '{}' });
        expect(done.usage?.completion_tokens).toBe(8);
    });

    it('creates and streams legacy completions', async () => {
        const res = await client.completions.create({ model: 'test-model', prompt: 'Once', max_tokens: 3 });
        expect(res.choices[0].text).toBe(answerWords('Once', undefined, 3).join(' '));
        expect(res.usage?.completion_tokens).toBe(3);
        const stream = await client.completions.create({ model: 'test-model', prompt: 'Once', max_tokens: 3, stream: true });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
        expect(text).toBe(res.choices[0].text);
    });

    it('surfaces engine errors as the package\'s typed errors', async () => {
        await expect(client.chat.completions.create({ model: 'other', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
        engine.behave({ refuse: true });
        try {
            await expect(client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 503 });
        } finally {
            engine.behave({ refuse: false });
        }
    });
});
