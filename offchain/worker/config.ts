import { endpointsSchema, hostPortSchema, walletSchema, type ConfigSchema } from '../runtime';
import type { PeerProvider } from '../protocol';

/** The worker's configuration, as validated by `workerConfigSchema` (defaults filled). */
export interface WorkerConfig {
    /** Root contract address (any address form). */
    root: string;
    chain: { endpoints: { url: string; apiKey?: string }[] };
    wallet: {
        /** 32-byte Ed25519 seed of the worker's CocoonWallet key, hex (secret: env COCOON_WORKER_SEED). */
        seed: string;
        /** The human owner of the CocoonWallet. */
        owner: string;
    };
    /** Full model name `name@commit:hash`; SHA-256 of it is in the root's model hashes, the engine serves `name`. */
    model: string;
    engineUrl: string;
    /** Price coefficient, 1000 = ×1. */
    coefficient: number;
    /** Requests in flight across all proxies; more are refused with 429. */
    maxActiveRequests: number;
    /** Proxy worker endpoints "HOST:PORT"; default: every proxy registered in the root. */
    proxies?: string[];
    tdx: {
        /** Quote provider of the worker's own certificate. */
        provider: PeerProvider;
        /** Which quotes the worker accepts from proxies. */
        peerProvider: PeerProvider;
    };
    ops: { host?: string; port: number };
    /** SQLite file (its folder must exist), or ':memory:'. */
    database: string;
    /** Submit the newest signed payout once the unpaid tokens are worth this much (TON). */
    payoutThresholdTon: number;
    /** Longest wait for the engine's headers and for each body chunk. */
    engineTimeoutMs: number;
}

/** Secret fields and the environment variables that may hold them (for loadConfig / validateConfig). */
export const WORKER_SECRETS: Record<string, string> = { '/wallet/seed': 'COCOON_WORKER_SEED' };

const endpoint = { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$' };
const provider = { enum: ['tdx', 'fake'] };

export const workerConfigSchema: ConfigSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['root', 'chain', 'wallet', 'model', 'engineUrl', 'tdx', 'ops', 'database'],
    properties: {
        root: { type: 'string', minLength: 1 },
        chain: {
            type: 'object',
            additionalProperties: false,
            required: ['endpoints'],
            properties: {
                endpoints: endpointsSchema,
            },
        },
        wallet: walletSchema,
        model: { type: 'string', pattern: '^[^@\\s]+@[^:\\s]+:[^\\s]+$', maxLength: 256 },
        engineUrl: { type: 'string', minLength: 1 },
        coefficient: { type: 'integer', minimum: 0, maximum: 999_999_999, default: 1000 },
        maxActiveRequests: { type: 'integer', minimum: 1, maximum: 100_000, default: 64 },
        proxies: { type: 'array', items: endpoint },
        tdx: {
            type: 'object',
            additionalProperties: false,
            required: ['provider', 'peerProvider'],
            properties: { provider, peerProvider: provider },
        },
        ops: hostPortSchema,
        database: { type: 'string', minLength: 1 },
        payoutThresholdTon: { type: 'number', minimum: 0, maximum: 1_000_000, default: 10 },
        engineTimeoutMs: { type: 'integer', minimum: 1, maximum: 3_600_000, default: 120_000 },
    },
};

/** The name the engine serves: the part of `name@commit:hash` before the '@'. */
export function baseModel(full: string): string {
    return full.slice(0, full.indexOf('@'));
}
