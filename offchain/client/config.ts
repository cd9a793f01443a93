import { endpointsSchema, validateConfig, walletSchema, type ConfigSchema } from '../runtime';

/** TON amounts are decimal strings ("5", "1.5") so that configs never go through a double. */
export interface ClientConfig {
    /** The root contract (any address form). */
    root: string;
    chain: { endpoints: { url: string; apiKey?: string }[]; pollMs?: number };
    /** The client's CocoonWallet: its key (32-byte seed, hex; env COCOON_CLIENT_SEED) and human owner. */
    wallet: { seed: string; owner: string };
    /** The short-auth secret (env COCOON_CLIENT_SECRET); its SHA-256 is stored in the client contract. */
    secret: string;
    /** Proxies' client endpoints "HOST:PORT"; default: the root's registered proxies. */
    proxies?: string[];
    tdx: { peerProvider: 'fake' | 'tdx'; provider?: 'none' | 'fake' | 'tdx' };
    /** SQLite file (receipts, signed charges, outbox). */
    database: string;
    deposit?: { initialTon?: string; topUpTon?: string };
    /**
     * Settlement, as fractions of the client contract's stake in tokens at the proxy's price: charge itself when
     * uncharged usage exceeds `charge` × stake; top up when paid − used falls below `topUp` × stake.
     */
    thresholds?: { charge?: number; topUp?: number };
    /** Long auth waits this long for the proxy to see the on-chain registration (default 300). */
    authTimeoutSeconds?: number;
    /**
     * Recovering the deposit by itself: after `lostAfterSeconds` without a connection to a proxy whose client contract
     * still holds a deposit (default 86400), or once that proxy's contract is closing past its close delay, the client
     * closes its contract (request_refund) and, after the client close delay, forces the refund.
     */
    recovery?: { lostAfterSeconds?: number };
    http?: { host?: string; port: number; apiKey?: string; adminToken?: string };
    log?: { level?: 'debug' | 'info' | 'warn' | 'error' };
}

/** JSON pointers of the secrets and the environment variables that may hold them. */
export const CLIENT_SECRETS: Record<string, string> = {
    '/wallet/seed': 'COCOON_CLIENT_SEED',
    '/secret': 'COCOON_CLIENT_SECRET',
    '/http/apiKey': 'COCOON_CLIENT_API_KEY',
    '/http/adminToken': 'COCOON_CLIENT_ADMIN_TOKEN',
};

const ton = { type: 'string', pattern: '^[0-9]+(\\.[0-9]{1,9})?$' };
const fraction = { type: 'number', exclusiveMinimum: 0, maximum: 1 };
const endpoint = { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$' };

export const clientConfigSchema: ConfigSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['root', 'chain', 'wallet', 'secret', 'tdx', 'database'],
    properties: {
        root: { type: 'string', minLength: 1 },
        chain: {
            type: 'object',
            additionalProperties: false,
            required: ['endpoints'],
            properties: {
                endpoints: endpointsSchema,
                pollMs: { type: 'integer', minimum: 10, default: 1000 },
            },
        },
        wallet: walletSchema,
        secret: { type: 'string', minLength: 8 },
        proxies: { type: 'array', items: endpoint },
        tdx: {
            type: 'object',
            additionalProperties: false,
            required: ['peerProvider'],
            properties: {
                peerProvider: { enum: ['fake', 'tdx'] },
                provider: { enum: ['none', 'fake', 'tdx'], default: 'none' },
            },
        },
        database: { type: 'string', minLength: 1 },
        deposit: {
            type: 'object',
            additionalProperties: false,
            default: {},
            properties: { initialTon: { ...ton, default: '5' }, topUpTon: { ...ton, default: '5' } },
        },
        thresholds: {
            type: 'object',
            additionalProperties: false,
            default: {},
            properties: { charge: { ...fraction, default: 0.5 }, topUp: { ...fraction, default: 0.5 } },
        },
        authTimeoutSeconds: { type: 'integer', minimum: 1, default: 300 },
        recovery: {
            type: 'object',
            additionalProperties: false,
            default: {},
            properties: { lostAfterSeconds: { type: 'number', minimum: 1, default: 86_400 } },
        },
        http: {
            type: 'object',
            additionalProperties: false,
            required: ['port'],
            properties: {
                host: { type: 'string', default: '127.0.0.1' },
                port: { type: 'integer', minimum: 0, maximum: 65535 },
                apiKey: { type: 'string', minLength: 1 },
                adminToken: { type: 'string', minLength: 1 },
            },
        },
        log: { type: 'object', additionalProperties: false, properties: { level: { enum: ['debug', 'info', 'warn', 'error'] } } },
    },
};

/** The config with defaults filled in. */
export type ResolvedClientConfig = ClientConfig & {
    chain: { pollMs: number };
    tdx: { provider: 'none' | 'fake' | 'tdx' };
    deposit: { initialTon: string; topUpTon: string };
    thresholds: { charge: number; topUp: number };
    authTimeoutSeconds: number;
    recovery: { lostAfterSeconds: number };
};

/** Validates a config object (secrets may come from the environment); throws ConfigError naming the field. */
export function resolveClientConfig(config: unknown, env?: NodeJS.ProcessEnv): ResolvedClientConfig {
    return validateConfig<ResolvedClientConfig>(config, clientConfigSchema, 'client', { secrets: CLIENT_SECRETS, env });
}
