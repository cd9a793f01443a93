import { endpointsSchema, hostPortSchema, validateConfig, walletSchema, type ConfigSchema } from '../runtime';

/**
 * The proxy service's configuration as given (validated by `proxyConfigSchema`, which fills the defaults; secrets may
 * come from the environment). `ResolvedProxyConfig` is the same with every default filled.
 */
export interface ProxyConfig {
    /** The root contract (any address form). */
    root: string;
    chain: {
        endpoints: { url: string; apiKey?: string }[];
        /** Poll interval of the contract watcher and the outbox (default 1000 ms). */
        pollMs?: number;
    };
    wallet: {
        /** 32-byte Ed25519 seed, hex: the proxy payment key and the key of its CocoonWallet. Secret (COCOON_PROXY_SEED). */
        seed: string;
        /** Human owner of the CocoonWallet. */
        owner: string;
    };
    /** Owner of the proxy contract (operator payout address); default `wallet.owner`. */
    owner?: string;
    listen: { workers: { host?: string; port: number }; clients: { host?: string; port: number } };
    ops: { host?: string; port: number };
    /** Bearer token of POST /admin/settle. Secret (COCOON_PROXY_ADMIN_TOKEN). */
    adminToken?: string;
    /** SQLite file (its folder must exist). */
    database: string;
    tdx: { provider: 'fake' | 'tdx'; peerProvider: 'fake' | 'tdx' };
    /** Deposited when deploying the contract; default the root's min proxy stake. */
    stakeTon?: number;
    /** Settlement thresholds in TON (default 1 and 10, as COCOON). */
    thresholds?: { chargeTon?: number; payoutTon?: number };
    /** Local database commit interval (default 1000 ms). */
    commitMs?: number;
    /** Save-state record interval (default 30 s). */
    saveStateSeconds?: number;
    /** Upper bound of a request's timeout; the client's own is used when smaller (default 300 s). */
    requestTimeoutMs?: number;
    /** Workers tried per request; a retry happens only before the first response byte (default 2). */
    workerAttempts?: number;
    /** How old the cached root registry may get before a check re-reads it (default 30 s). */
    rootRefreshSeconds?: number;
    /** A worker that sends no first byte within this is abandoned and the request tried elsewhere (default 30 s). */
    firstTokenTimeoutMs?: number;
    /**
     * Worker reputation: the sliding window of the figures (default 1 h) and how often a snapshot is published on the
     * proxy contract when it changed (default 6 h: the fee per snapshot is in docs/contracts.md; 0 never publishes).
     */
    reputation?: { windowSeconds?: number; publishSeconds?: number };
}

export interface ResolvedProxyConfig extends ProxyConfig {
    chain: { endpoints: { url: string; apiKey?: string }[]; pollMs: number };
    thresholds: { chargeTon: number; payoutTon: number };
    commitMs: number;
    saveStateSeconds: number;
    requestTimeoutMs: number;
    workerAttempts: number;
    rootRefreshSeconds: number;
    firstTokenTimeoutMs: number;
    reputation: { windowSeconds: number; publishSeconds: number };
}

export const proxyConfigSchema: ConfigSchema = {
    type: 'object',
    properties: {
        root: { type: 'string', minLength: 1 },
        chain: {
            type: 'object',
            properties: {
                endpoints: endpointsSchema,
                pollMs: { type: 'integer', minimum: 10, maximum: 60_000, default: 1000 },
            },
            required: ['endpoints'],
            additionalProperties: false,
        },
        wallet: walletSchema,
        owner: { type: 'string', minLength: 1 },
        listen: {
            type: 'object',
            properties: { workers: hostPortSchema, clients: hostPortSchema },
            required: ['workers', 'clients'],
            additionalProperties: false,
        },
        ops: hostPortSchema,
        adminToken: { type: 'string', minLength: 16 },
        database: { type: 'string', minLength: 1 },
        tdx: {
            type: 'object',
            properties: { provider: { enum: ['fake', 'tdx'] }, peerProvider: { enum: ['fake', 'tdx'] } },
            required: ['provider', 'peerProvider'],
            additionalProperties: false,
        },
        stakeTon: { type: 'number', exclusiveMinimum: 0 },
        thresholds: {
            type: 'object',
            properties: { chargeTon: { type: 'number', minimum: 0, default: 1 }, payoutTon: { type: 'number', minimum: 0, default: 10 } },
            additionalProperties: false,
            default: {},
        },
        commitMs: { type: 'integer', minimum: 10, maximum: 60_000, default: 1000 },
        saveStateSeconds: { type: 'number', minimum: 1, maximum: 3600, default: 30 },
        requestTimeoutMs: { type: 'integer', minimum: 1000, maximum: 3_600_000, default: 300_000 },
        workerAttempts: { type: 'integer', minimum: 1, maximum: 10, default: 2 },
        rootRefreshSeconds: { type: 'number', minimum: 0, maximum: 3600, default: 30 },
        firstTokenTimeoutMs: { type: 'integer', minimum: 100, maximum: 3_600_000, default: 30_000 },
        reputation: {
            type: 'object',
            properties: {
                windowSeconds: { type: 'number', minimum: 1, maximum: 7 * 86_400, default: 3600 },
                publishSeconds: { type: 'number', minimum: 0, maximum: 30 * 86_400, default: 21_600 },
            },
            additionalProperties: false,
            default: {},
        },
    },
    required: ['root', 'chain', 'wallet', 'listen', 'ops', 'database', 'tdx'],
    additionalProperties: false,
};

/** Secret fields and the environment variables that override them. */
export const PROXY_SECRETS: Record<string, string> = {
    '/wallet/seed': 'COCOON_PROXY_SEED',
    '/adminToken': 'COCOON_PROXY_ADMIN_TOKEN',
};

/** Validates a config object (a copy is returned with defaults and secrets filled); throws ConfigError naming the field. */
export function parseProxyConfig(value: unknown, env: NodeJS.ProcessEnv = process.env): ResolvedProxyConfig {
    return validateConfig<ResolvedProxyConfig>(value, proxyConfigSchema, 'proxy', { secrets: PROXY_SECRETS, env });
}
