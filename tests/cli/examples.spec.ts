import path from 'path';
import { CLIENT_SECRETS, clientConfigSchema } from '../../offchain/client';
import { PROXY_SECRETS, proxyConfigSchema } from '../../offchain/proxy';
import { loadConfig, type ConfigSchema } from '../../offchain/runtime';
import { WORKER_SECRETS, workerConfigSchema } from '../../offchain/worker';

const dir = path.join(__dirname, '..', '..', 'docs', 'examples');
const env = {
    COCOON_PROXY_SEED: '11'.repeat(32),
    COCOON_PROXY_ADMIN_TOKEN: 'a-long-admin-token-for-the-proxy',
    COCOON_WORKER_SEED: '22'.repeat(32),
    COCOON_CLIENT_SEED: '33'.repeat(32),
    COCOON_CLIENT_SECRET: 'client-secret-of-the-app',
    COCOON_CLIENT_API_KEY: 'sk-local',
    COCOON_CLIENT_ADMIN_TOKEN: 'client-admin-token',
};

describe('the example configs in docs/examples (docs/operators.md)', () => {
    it.each<[string, ConfigSchema, Record<string, string>]>([
        ['proxy.json', proxyConfigSchema, PROXY_SECRETS],
        ['worker.json', workerConfigSchema, WORKER_SECRETS],
        ['client.json', clientConfigSchema, CLIENT_SECRETS],
    ])('%s is valid, with its secrets from the environment', (file, schema, secrets) => {
        const config = loadConfig<{ wallet: { seed: string } }>(path.join(dir, file), schema, { secrets, env });
        expect(config.wallet.seed).toMatch(/^(11|22|33){32}$/);
    });

    it('fail without the secrets, naming the variable', () => {
        expect(() => loadConfig(path.join(dir, 'worker.json'), workerConfigSchema, { secrets: WORKER_SECRETS, env: {} })).toThrow(
            "/wallet/seed refers to environment variable 'COCOON_WORKER_SEED', which is not set",
        );
    });
});
