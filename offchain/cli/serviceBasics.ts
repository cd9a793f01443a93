import { Address } from '@ton/core';
import type { KeyPair } from '@ton/crypto';
import { ChainClient } from '../chain/client';
import { keyFromSeedHex } from '../chain/cocoon/keys';
import { CliInputError } from './errors';
import { endpointsSchema, loadConfig, walletSchema, type ConfigSchema } from '../runtime';

/** The environment variable each role reads its wallet seed from (as the services' own config loaders do). */
export const SEED_ENV = { proxy: 'COCOON_PROXY_SEED', worker: 'COCOON_WORKER_SEED', client: 'COCOON_CLIENT_SEED' } as const;
export type Role = keyof typeof SEED_ENV;

/** What every service config has and the operator commands need: the chain, the root and the wallet. */
export interface ServiceBasics {
    root: Address;
    chain: ChainClient;
    endpoints: string[];
    key: KeyPair;
    owner: Address;
}

const address = { type: 'string', minLength: 1 };
const basicsSchema: ConfigSchema = {
    type: 'object',
    required: ['root', 'chain', 'wallet'],
    properties: {
        root: address,
        chain: {
            type: 'object',
            required: ['endpoints'],
            properties: { endpoints: endpointsSchema },
        },
        wallet: walletSchema,
    },
};

export function parseAddress(text: string, what: string): Address {
    try {
        return Address.parse(text);
    } catch {
        throw new CliInputError(`${what} "${text}" is not a TON address`);
    }
}

/** Reads the common part of a proxy, worker or client config file (the rest is the service's to validate). */
export function readServiceBasics(file: string, role: Role): ServiceBasics {
    const c = loadConfig<{ root: string; chain: { endpoints: { url: string; apiKey?: string }[] }; wallet: { seed: string; owner: string } }>(
        file,
        basicsSchema,
        { secrets: { '/wallet/seed': SEED_ENV[role] } },
    );
    return {
        root: parseAddress(c.root, `config ${file}: /root`),
        chain: new ChainClient({ endpoints: c.chain.endpoints }),
        endpoints: c.chain.endpoints.map((e) => e.url),
        key: keyFromSeedHex(c.wallet.seed, `config ${file}: /wallet/seed`),
        owner: parseAddress(c.wallet.owner, `config ${file}: /wallet/owner`),
    };
}
