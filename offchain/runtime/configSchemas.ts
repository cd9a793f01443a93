import type { ConfigSchema } from './config';

/** Schema pieces every service config shares, so the three services accept (and reject) them alike. */

/** TON HTTP API v2 endpoints, tried in turn: `[{ url, apiKey? }]`, at least one. */
export const endpointsSchema: ConfigSchema = {
    type: 'array',
    minItems: 1,
    items: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: { url: { type: 'string', minLength: 1 }, apiKey: { type: 'string' } },
    },
};

/** A service's CocoonWallet: its key as a 32-byte seed (hex, a secret) and the human owner's address. */
export const walletSchema: ConfigSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['seed', 'owner'],
    properties: { seed: { type: 'string', pattern: '^(0x)?[0-9a-fA-F]{64}$' }, owner: { type: 'string', minLength: 1 } },
};

/** Where a server listens: `{ host?, port }` (0 picks a free port). */
export const hostPortSchema: ConfigSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['port'],
    properties: { host: { type: 'string', minLength: 1 }, port: { type: 'integer', minimum: 0, maximum: 65535 } },
};
