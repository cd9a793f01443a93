import { BadRequestError, prepareRequest, resolveClientConfig } from '../../offchain/client';
import { ConfigError } from '../../offchain/runtime';

describe('prepareRequest: client-only fields and the reservation', () => {
    it('takes out max_coefficient and timeout and reserves max_completion_tokens (dropping max_tokens)', () => {
        const p = prepareRequest(
            '/v1/chat/completions',
            JSON.stringify({ model: 'm', messages: [], max_coefficient: 1500, timeout: 2.5, max_tokens: 9, max_completion_tokens: 30, stream: true }),
        );
        expect(p).toEqual({ text: JSON.stringify({ model: 'm', messages: [], max_completion_tokens: 30, stream: true }), model: 'm', maxCoefficient: 1500, maxTokens: 30, timeoutMs: 2500, stream: true });
    });

    it('defaults: coefficient 4000, timeout 120 s, 1000 tokens; max_tokens alone is kept and reserved', () => {
        expect(prepareRequest('/v1/completions', '{"model":"m","prompt":"p"}')).toMatchObject({ maxCoefficient: 4000, timeoutMs: 120_000, maxTokens: 1000, stream: false });
        expect(prepareRequest('/v1/completions', '{"model":"m","prompt":"p","max_tokens":5}')).toMatchObject({ maxTokens: 5, text: '{"model":"m","prompt":"p","max_tokens":5}' });
    });

    it.each([
        ['{', null],
        ['[1]', null],
        ['{"messages":[]}', 'model'],
        ['{"model":"m"}', 'messages'],
        ['{"model":"m","messages":[],"max_coefficient":1.5}', 'max_coefficient'],
        ['{"model":"m","messages":[],"timeout":0}', 'timeout'],
        ['{"model":"m","messages":[],"max_tokens":-1}', 'max_tokens'],
        ['{"model":"m","messages":[],"stream":"yes"}', 'stream'],
    ])('refuses %s (param %s) with BadRequestError', (text, param) => {
        try {
            prepareRequest('/v1/chat/completions', text);
            throw new Error('accepted');
        } catch (e) {
            expect(e).toBeInstanceOf(BadRequestError);
            expect(e).toMatchObject({ status: 400, param });
        }
    });
});

describe('client config', () => {
    const base = {
        root: '0:' + '11'.repeat(32),
        chain: { endpoints: [{ url: 'http://127.0.0.1:1' }] },
        wallet: { owner: '0:' + '22'.repeat(32) },
        tdx: { peerProvider: 'fake' },
        database: ':memory:',
    };

    it('reads the seed and secret from the environment and fills defaults', () => {
        const cfg = resolveClientConfig(base, { COCOON_CLIENT_SEED: 'ab'.repeat(32), COCOON_CLIENT_SECRET: 'a-long-secret' });
        expect(cfg.wallet.seed).toBe('ab'.repeat(32));
        expect(cfg.secret).toBe('a-long-secret');
        expect(cfg).toMatchObject({ deposit: { initialTon: '5', topUpTon: '5' }, thresholds: { charge: 0.5, topUp: 0.5 }, tdx: { provider: 'none' }, authTimeoutSeconds: 300 });
    });

    it('names the missing secret and its variable', () => {
        expect(() => resolveClientConfig(base, {})).toThrow(ConfigError);
        expect(() => resolveClientConfig(base, {})).toThrow(/missing required field \/secret \(or set COCOON_CLIENT_SECRET\)/);
        expect(() => resolveClientConfig({ ...base, secret: 'a-long-secret' }, {})).toThrow(/\/wallet\/seed \(or set COCOON_CLIENT_SEED\)/);
    });
});
