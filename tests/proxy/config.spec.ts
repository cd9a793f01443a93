import { ConfigError } from '../../offchain/runtime';
import { parseProxyConfig } from '../../offchain/proxy';

const minimal = {
    root: 'EQBDtWTKQuAAvy3s003NSutLllMpWhrwyI3gksLxzVqaG1-Y',
    chain: { endpoints: [{ url: 'http://127.0.0.1:1/api/v2/jsonRPC' }] },
    wallet: { seed: 'env:PROXY_SEED_FOR_TEST', owner: 'EQBDtWTKQuAAvy3s003NSutLllMpWhrwyI3gksLxzVqaG1-Y' },
    listen: { workers: { port: 0 }, clients: { port: 0 } },
    ops: { port: 0 },
    database: '/tmp/proxy.sqlite',
    tdx: { provider: 'fake', peerProvider: 'fake' },
};

describe('proxy config', () => {
    it('fills the defaults (COCOON thresholds 1 and 10 TON) and reads secrets from the environment', () => {
        const seed = 'ab'.repeat(32);
        const c = parseProxyConfig(minimal, { PROXY_SEED_FOR_TEST: seed, COCOON_PROXY_ADMIN_TOKEN: 'a-token-of-sixteen-chars' });
        expect(c.wallet.seed).toBe(seed);
        expect(c.adminToken).toBe('a-token-of-sixteen-chars');
        expect(c).toMatchObject({
            chain: { pollMs: 1000 },
            thresholds: { chargeTon: 1, payoutTon: 10 },
            commitMs: 1000,
            saveStateSeconds: 30,
            requestTimeoutMs: 300_000,
            workerAttempts: 2,
            rootRefreshSeconds: 30,
        });
        expect(c.stakeTon).toBeUndefined();
    });

    it('names the bad field', () => {
        const env = { COCOON_PROXY_SEED: 'cd'.repeat(32) };
        expect(() => parseProxyConfig({ ...minimal, tdx: { provider: 'sgx', peerProvider: 'fake' } }, env)).toThrow(
            new ConfigError('proxy', '/tdx/provider must be one of "fake", "tdx"'),
        );
        expect(() => parseProxyConfig({ ...minimal, listen: { workers: { port: 0 } } }, env)).toThrow('missing required field /listen/clients');
        expect(() => parseProxyConfig({ ...minimal, wallet: { owner: minimal.wallet.owner } }, {})).toThrow(
            'missing required field /wallet/seed (or set COCOON_PROXY_SEED)',
        );
    });
});
