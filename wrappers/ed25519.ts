import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'crypto';

/**
 * Ed25519 with Node's own crypto (OpenSSL): the same signatures as `@ton/crypto`'s `sign` / `signVerify` (Ed25519
 * is deterministic), about a hundred times faster than its pure-JS implementation, which cost milliseconds per
 * signature on every receipt, ledger and wallet message. Keys come as `@ton/crypto` holds them: a 64-byte secret
 * key (seed ‖ public key) and a 32-byte public key.
 */

// DER prefixes of a PKCS#8 Ed25519 private key and an SPKI Ed25519 public key, followed by the 32 raw bytes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const privateKeys = new Map<string, KeyObject>();
const publicKeys = new Map<string, KeyObject>();
/** A service uses a handful of keys: the cache only saves re-parsing them. */
const MAX_CACHED = 256;

function cached(cache: Map<string, KeyObject>, raw: Buffer, make: () => KeyObject): KeyObject {
    const id = raw.toString('hex');
    let key = cache.get(id);
    if (!key) {
        if (cache.size >= MAX_CACHED) cache.clear();
        key = make();
        cache.set(id, key);
    }
    return key;
}

/** Signs `data` with a 64-byte `@ton/crypto` secret key (its first 32 bytes are the seed). */
export function sign(data: Buffer, secretKey: Buffer): Buffer {
    if (secretKey.length !== 64) throw new RangeError(`an Ed25519 secret key is 64 bytes, got ${secretKey.length}`);
    const seed = secretKey.subarray(0, 32);
    const key = cached(privateKeys, seed, () => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
    return nodeSign(null, data, key);
}

/** True when `signature` (64 bytes) is `publicKey`'s (32 bytes) signature of `data`; false for malformed input. */
export function signVerify(data: Buffer, signature: Buffer, publicKey: Buffer): boolean {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    try {
        const key = cached(publicKeys, publicKey, () => createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }));
        return nodeVerify(null, data, key, signature);
    } catch {
        return false; // not a point on the curve
    }
}
