import { RequestValidationError, validateRequest } from '../../offchain/worker/validateRequest';

const CHAT = '/v1/chat/completions';
const CMPL = '/v1/completions';
const opts = { model: 'Qwen/Qwen3-8B', maxTokens: 100 };
const chat = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ model: 'Qwen/Qwen3-8B', messages: [{ role: 'user', content: 'hi' }], ...extra });
const cmpl = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ model: 'Qwen/Qwen3-8B', prompt: 'hi', ...extra });

function rejection(path: typeof CHAT | typeof CMPL, body: unknown): RequestValidationError {
    try {
        validateRequest(path, body, opts);
    } catch (e) {
        expect(e).toBeInstanceOf(RequestValidationError);
        return e as RequestValidationError;
    }
    throw new Error('expected a RequestValidationError');
}

describe('validateRequest: the worker\'s allowlist', () => {
    it('accepts a chat request with every allowed field and forwards them unchanged (except the cap)', () => {
        const full = chat({
            frequency_penalty: -2,
            presence_penalty: 2,
            max_completion_tokens: 50,
            n: 1,
            parallel_tool_calls: false,
            prediction: { type: 'content', content: 'x' },
            reasoning_effort: 'low',
            response_format: { type: 'json_object' },
            stop: ['a', 'b', 'c', 'd'],
            stream: true,
            stream_options: { include_usage: false, include_obfuscation: true },
            temperature: 2,
            top_p: 0,
            verbosity: 'low',
            chat_template_kwargs: { enable_thinking: false },
            tools: [{ type: 'function', function: { name: 'f' } }],
            tool_choice: { type: 'function', function: { name: 'f' } },
            logprobs: true,
            top_logprobs: 20,
            seed: -5,
            user: 'u1',
            logit_bias: { '50256': -100, '11': 2.5 },
        });
        const { body, stream, maxTokens } = validateRequest(CHAT, full, opts);
        expect(stream).toBe(true);
        expect(maxTokens).toBe(50);
        expect(body).toEqual({ ...full, stream_options: { include_usage: true, include_obfuscation: true } });
        expect(full.stream_options).toEqual({ include_usage: false, include_obfuscation: true }); // the input is not mutated
    });

    it('accepts a completions request with every allowed field', () => {
        const full = cmpl({
            prompt: ['a', 'b'],
            best_of: 1,
            echo: true,
            frequency_penalty: 0,
            presence_penalty: 0,
            max_tokens: 7,
            n: 1,
            seed: 42,
            stop: 'x',
            stream: false,
            suffix: 'end',
            temperature: 0.5,
            top_p: 1,
            logprobs: 5,
            user: 'u',
            logit_bias: {},
            skip_special_tokens: false,
        });
        expect(validateRequest(CMPL, full, opts)).toEqual({ body: full, stream: false, maxTokens: 7 });
    });

    it.each([
        [CHAT, chat({ temperature: 'hot' }), 'temperature', 'temperature must be a number'],
        [CHAT, chat({ temperature: 2.5 }), 'temperature', 'temperature must be between 0 and 2'],
        [CHAT, chat({ top_p: -0.1 }), 'top_p', 'top_p must be between 0 and 1'],
        [CHAT, chat({ frequency_penalty: 3 }), 'frequency_penalty', 'frequency_penalty must be between -2 and 2'],
        [CHAT, chat({ presence_penalty: Number.NaN }), 'presence_penalty', 'presence_penalty must be a number'],
        [CHAT, chat({ max_tokens: -1 }), 'max_tokens', 'max_tokens must be at least 0'],
        [CHAT, chat({ max_completion_tokens: 1.5 }), 'max_completion_tokens', 'max_completion_tokens must be an integer'],
        [CHAT, chat({ n: 2 }), 'n', 'n must be 1: several choices cannot be metered against one reservation'],
        [CHAT, chat({ n: 0 }), 'n', 'n must be at least 1'],
        [CHAT, chat({ prediction: 'text' }), 'prediction', 'prediction must be an object'],
        [CHAT, chat({ stop: ['a', 'b', 'c', 'd', 'e'] }), 'stop', 'stop must be a string or an array of at most 4 strings'],
        [CHAT, chat({ stop: [1] }), 'stop', 'stop must be a string or an array of at most 4 strings'],
        [CHAT, chat({ stream: 'yes' }), 'stream', 'stream must be a boolean'],
        [CHAT, chat({ stream_options: { include_usage: 1 } }), 'stream_options.include_usage', 'stream_options.include_usage must be a boolean'],
        [CHAT, chat({ stream_options: { chunk: true } }), 'stream_options.chunk', 'stream_options.chunk is not an allowed field'],
        [CHAT, chat({ stream: false, stream_options: {} }), 'stream_options', 'stream_options is only allowed when stream is true'],
        [CHAT, chat({ chat_template_kwargs: { enable_thinking: 'no' } }), 'chat_template_kwargs.enable_thinking', 'chat_template_kwargs.enable_thinking must be a boolean'],
        [CHAT, chat({ chat_template_kwargs: { template: 'x' } }), 'chat_template_kwargs.template', 'chat_template_kwargs.template is not an allowed field'],
        [CHAT, chat({ tools: {} }), 'tools', 'tools must be an array'],
        [CHAT, chat({ tools: ['f'] }), 'tools[0]', 'tools[0] must be an object'],
        [CHAT, chat({ tool_choice: 3 }), 'tool_choice', 'tool_choice must be a string or an object'],
        [CHAT, chat({ logprobs: 1 }), 'logprobs', 'logprobs must be a boolean'],
        [CHAT, chat({ top_logprobs: 21 }), 'top_logprobs', 'top_logprobs must be between 0 and 20'],
        [CHAT, chat({ seed: 1.5 }), 'seed', 'seed must be an integer'],
        [CHAT, chat({ response_format: 'json' }), 'response_format', 'response_format must be an object'],
        [CHAT, chat({ user: 5 }), 'user', 'user must be a string'],
        [CHAT, chat({ logit_bias: { '1': 'x' } }), 'logit_bias.1', 'logit_bias.1 must be a number'],
        [CHAT, chat({ reasoning_effort: 1 }), 'reasoning_effort', 'reasoning_effort must be a string'],
        [CHAT, chat({ verbosity: true }), 'verbosity', 'verbosity must be a string'],
        [CHAT, chat({ parallel_tool_calls: 'no' }), 'parallel_tool_calls', 'parallel_tool_calls must be a boolean'],
        [CHAT, chat({ prompt: 'x' }), 'prompt', 'unknown field prompt'],
        [CHAT, chat({ functions: [] }), 'functions', 'unknown field functions'],
        [CHAT, chat({ messages: [] }), 'messages', 'messages must be a non-empty array'],
        [CHAT, chat({ messages: ['hi'] }), 'messages[0]', 'messages[0] must be an object'],
        [CHAT, { model: 'Qwen/Qwen3-8B' }, 'messages', 'messages is required'],
        [CHAT, { messages: [{}] }, 'model', 'model is required'],
        [CHAT, chat({ model: 7 }), 'model', 'model must be a string'],
        [CHAT, chat({ model: 'gpt-4o' }), 'model', 'model must be "Qwen/Qwen3-8B" (the model this worker serves), not "gpt-4o"'],
        [CMPL, cmpl({ prompt: [] }), 'prompt', 'prompt must be a string or a non-empty array of strings'],
        [CMPL, cmpl({ prompt: [1, 2] }), 'prompt', 'prompt must be a string or a non-empty array of strings'],
        [CMPL, { model: 'Qwen/Qwen3-8B' }, 'prompt', 'prompt is required'],
        [CMPL, cmpl({ best_of: 2 }), 'best_of', 'best_of must be 1: several choices cannot be metered against one reservation'],
        [CMPL, cmpl({ suffix: 1 }), 'suffix', 'suffix must be a string'],
        [CMPL, cmpl({ logprobs: 6 }), 'logprobs', 'logprobs must be between 0 and 5'],
        [CMPL, cmpl({ logprobs: true }), 'logprobs', 'logprobs must be an integer'],
        [CMPL, cmpl({ echo: 'y' }), 'echo', 'echo must be a boolean'],
        [CMPL, cmpl({ skip_special_tokens: 1 }), 'skip_special_tokens', 'skip_special_tokens must be a boolean'],
        [CMPL, cmpl({ messages: [] }), 'messages', 'unknown field messages'],
        [CMPL, cmpl({ tools: [] }), 'tools', 'unknown field tools'],
        [CMPL, cmpl({ max_completion_tokens: 5 }), 'max_completion_tokens', 'unknown field max_completion_tokens'],
    ] as const)('%s rejects %j naming %s', (path, body, field, message) => {
        const e = rejection(path, body);
        expect(e.field).toBe(field);
        expect(e.message).toBe(message);
    });

    it('rejects a body that is not an object', () => {
        for (const body of [null, [], 'x', 3]) expect(rejection(CHAT, body)).toMatchObject({ field: '', message: 'request body must be a JSON object' });
    });

    it('treats null fields as absent and does not forward them', () => {
        expect(validateRequest(CHAT, chat({ stop: null, temperature: null }), opts).body).toEqual(chat({ max_completion_tokens: 100 }));
    });

    describe('rewrites', () => {
        it('forces include_usage on streams and makes stream_options alone mean a stream', () => {
            expect(validateRequest(CHAT, chat({ stream: true }), opts)).toMatchObject({ stream: true, body: { stream: true, stream_options: { include_usage: true } } });
            expect(validateRequest(CMPL, cmpl({ stream_options: { include_usage: false } }), opts)).toMatchObject({
                stream: true,
                body: { stream: true, stream_options: { include_usage: true } },
            });
            const plain = validateRequest(CHAT, chat({ stream: false }), opts);
            expect(plain.stream).toBe(false);
            expect(plain.body.stream_options).toBeUndefined();
            expect(validateRequest(CHAT, chat(), opts).stream).toBe(false);
        });

        it('caps chat tokens: max_completion_tokens by default, max_tokens alone kept as max_tokens, both → max_completion_tokens', () => {
            const cap = (extra: Record<string, unknown>) => {
                const { body, maxTokens } = validateRequest(CHAT, chat(extra), opts);
                return { mct: body.max_completion_tokens, mt: body.max_tokens, has: 'max_tokens' in body, maxTokens };
            };
            expect(cap({})).toEqual({ mct: 100, mt: undefined, has: false, maxTokens: 100 });
            expect(cap({ max_completion_tokens: 30 })).toEqual({ mct: 30, mt: undefined, has: false, maxTokens: 30 });
            expect(cap({ max_completion_tokens: 300 })).toEqual({ mct: 100, mt: undefined, has: false, maxTokens: 100 });
            expect(cap({ max_tokens: 30 })).toEqual({ mct: undefined, mt: 30, has: true, maxTokens: 30 });
            expect(cap({ max_tokens: 300 })).toEqual({ mct: undefined, mt: 100, has: true, maxTokens: 100 });
            expect(cap({ max_tokens: 30, max_completion_tokens: 300 })).toEqual({ mct: 100, mt: undefined, has: false, maxTokens: 100 });
            expect(cap({ max_tokens: 300, max_completion_tokens: 20 })).toEqual({ mct: 20, mt: undefined, has: false, maxTokens: 20 });
            expect(cap({ max_completion_tokens: 0 })).toEqual({ mct: 0, mt: undefined, has: false, maxTokens: 0 });
        });

        it('caps completions max_tokens', () => {
            expect(validateRequest(CMPL, cmpl(), opts).body.max_tokens).toBe(100);
            expect(validateRequest(CMPL, cmpl({ max_tokens: 5 }), opts).body.max_tokens).toBe(5);
            expect(validateRequest(CMPL, cmpl({ max_tokens: 500 }), opts)).toMatchObject({ body: { max_tokens: 100 }, maxTokens: 100 });
        });

        it('refuses a cap that is not a non-negative integer', () => {
            expect(() => validateRequest(CHAT, chat(), { model: 'Qwen/Qwen3-8B', maxTokens: -1 })).toThrow(RangeError);
        });
    });
});
