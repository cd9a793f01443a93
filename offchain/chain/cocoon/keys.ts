import { KeyPair, keyPairFromSeed } from '@ton/crypto';
import { createHash } from 'crypto';

export class KeyFormatError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'KeyFormatError';
    }
}

/** A service's Ed25519 key from its 32-byte seed in hex (what configs and the environment carry). */
export function keyFromSeedHex(hex: string, what = 'key'): KeyPair {
    const clean = hex.trim().replace(/^0x/, '');
    if (!/^[0-9a-fA-F]{64}$/.test(clean)) throw new KeyFormatError(`${what} must be a 32-byte seed as 64 hex digits`);
    return keyPairFromSeed(Buffer.from(clean, 'hex'));
}

/** The seed a deterministic local-network key is made from (never for real funds: anyone can recompute it). */
export function devnetSeed(name: string): Buffer {
    return createHash('sha256').update(`cocoon-devnet-test:${name}`).digest();
}

/** A deterministic key for the local network and tests, so their wallets have the same address on every run. */
export function devnetKey(name: string): KeyPair {
    return keyPairFromSeed(devnetSeed(name));
}
