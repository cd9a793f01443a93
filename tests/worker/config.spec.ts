import { ConfigError, validateConfig } from '../../offchain/runtime';
import { baseModel, WORKER_SECRETS, workerConfigSchema, type WorkerConfig } from '../../offchain/worker';

const minimal = {
    root: 'EQ_root',
    chain: { endpoints: [{ url: 'http://127.0.0.1:8081/api/v2/jsonRPC' }] },
    wallet: { owner: 'EQ_owner' },
    model: 'Qwen/Qwen3-8B@b968826d:7e9d33be',
    engineUrl: 'http://127.0.0.1:8000',
    tdx: { provider: 'fake', peerProvider: 'fake' },
    ops: { port: 0 },
    database: ':memory:',
};
const seed = 'ab'.repeat(32);
const validate = (config: unknown, env: NodeJS.ProcessEnv = {}) =>
    validateConfig<WorkerConfig>(config, workerConfigSchema, 'worker.json', { secrets: WORKER_SECRETS, env });

describe('worker config', () => {
    it('takes the seed from COCOON_WORKER_SEED and fills the defaults', () => {
        expect(validate(minimal, { COCOON_WORKER_SEED: seed })).toEqual({
            ...minimal,
            wallet: { owner: 'EQ_owner', seed },
            coefficient: 1000,
            maxActiveRequests: 64,
            payoutThresholdTon: 10,
            engineTimeoutMs: 120_000,
        });
    });

    it('names the missing secret and its variable, and any bad field', () => {
        expect(() => validate(minimal)).toThrow(new ConfigError('worker.json', 'missing required field /wallet/seed (or set COCOON_WORKER_SEED)'));
        const withSeed = { ...minimal, wallet: { ...minimal.wallet, seed } };
        expect(() => validate({ ...withSeed, model: 'Qwen3-8B' })).toThrow(/\/model must match pattern/);
        expect(() => validate({ ...withSeed, proxies: ['127.0.0.1'] })).toThrow(/\/proxies\/0 must match pattern/);
        expect(() => validate({ ...withSeed, tdx: { provider: 'none', peerProvider: 'fake' } })).toThrow(/\/tdx\/provider must be one of "tdx", "fake"/);
        expect(() => validate({ ...withSeed, coefficent: 1000 })).toThrow(/unknown field \/coefficent/);
    });

    it('serves the base name of name@commit:hash', () => {
        expect(baseModel(minimal.model)).toBe('Qwen/Qwen3-8B');
    });
});
