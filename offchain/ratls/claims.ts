import { createHash } from 'crypto';
import { ClaimsFormatError } from './errors';

/**
 * User claims bound into the quote: REPORTDATA = SHA-512(serializeClaims(claims)).
 *
 * Serialization, version 1 (all integers big-endian; documented in docs/attestation.md "RA-TLS"):
 *   u8   version = 1
 *   32   Ed25519 public key of the certificate
 *   u64  issuedAt, Unix seconds
 *   u8   number of extra fields n (at most 32)
 *   n ×  { u8 name length (1..64), name (ASCII [a-z0-9_.-]), u16 value length (at most 4096), value bytes }
 * Extra fields are sorted by name (bytewise, strictly ascending, so names are unique); no trailing bytes.
 * One value has exactly one encoding, so the verifier re-serializes what it parsed and requires the same bytes.
 *
 * A 32-byte blob is COCOON's original form (the bare public key, no timestamp); it is accepted as version 0.
 */
export interface UserClaims {
    version: 0 | 1;
    publicKey: Uint8Array;
    /** Unix seconds; absent only in version 0. */
    issuedAt?: number;
    extra: Readonly<Record<string, Uint8Array>>;
}

const VERSION = 1;
const MAX_EXTRA_FIELDS = 32;
const MAX_NAME_BYTES = 64;
const MAX_VALUE_BYTES = 4096;
const NAME_PATTERN = /^[a-z0-9_.-]+$/;

export function serializeClaims(claims: UserClaims): Uint8Array {
    if (claims.publicKey.length !== 32) throw new ClaimsFormatError(`public key must be 32 bytes, got ${claims.publicKey.length}`);
    if (claims.version === 0) {
        if (claims.issuedAt !== undefined || Object.keys(claims.extra).length > 0) {
            throw new ClaimsFormatError('version 0 claims carry only the public key');
        }
        return Uint8Array.from(claims.publicKey);
    }
    const issuedAt = claims.issuedAt;
    if (issuedAt === undefined || !Number.isSafeInteger(issuedAt) || issuedAt < 0) {
        throw new ClaimsFormatError(`issuedAt must be a non-negative whole number of seconds, got ${issuedAt}`);
    }
    const names = Object.keys(claims.extra).sort(compareAscii);
    if (names.length > MAX_EXTRA_FIELDS) throw new ClaimsFormatError(`at most ${MAX_EXTRA_FIELDS} extra fields, got ${names.length}`);
    const parts: Buffer[] = [Buffer.from([VERSION]), Buffer.from(claims.publicKey), u64(issuedAt), Buffer.from([names.length])];
    for (const name of names) {
        checkName(name);
        const value = claims.extra[name];
        if (value.length > MAX_VALUE_BYTES) throw new ClaimsFormatError(`extra field "${name}" exceeds ${MAX_VALUE_BYTES} bytes`);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(value.length);
        parts.push(Buffer.from([name.length]), Buffer.from(name, 'ascii'), len, Buffer.from(value));
    }
    return new Uint8Array(Buffer.concat(parts));
}

export function parseClaims(bytes: Uint8Array): UserClaims {
    if (bytes.length === 32) return { version: 0, publicKey: Uint8Array.from(bytes), extra: {} };
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    if (buf.length < 42) throw new ClaimsFormatError(`claims too short: ${buf.length} bytes`);
    if (buf[0] !== VERSION) throw new ClaimsFormatError(`unknown claims version ${buf[0]}`);
    const publicKey = Uint8Array.from(buf.subarray(1, 33));
    const issuedAtBig = buf.readBigUInt64BE(33);
    if (issuedAtBig > BigInt(Number.MAX_SAFE_INTEGER)) throw new ClaimsFormatError('issuedAt out of range');
    const count = buf[41];
    let offset = 42;
    const extra: Record<string, Uint8Array> = {};
    for (let i = 0; i < count; i++) {
        const nameLen = need(buf, offset, 1)[0];
        const name = need(buf, offset + 1, nameLen).toString('latin1');
        offset += 1 + nameLen;
        const valueLen = need(buf, offset, 2).readUInt16BE(0);
        extra[name] = Uint8Array.from(need(buf, offset + 2, valueLen));
        offset += 2 + valueLen;
    }
    if (offset !== buf.length) throw new ClaimsFormatError(`${buf.length - offset} trailing bytes after claims`);
    const claims: UserClaims = { version: 1, publicKey, issuedAt: Number(issuedAtBig), extra };
    // Rejects unsorted or duplicate names, bad characters and oversize fields: only the canonical encoding passes.
    if (!Buffer.from(serializeClaims(claims)).equals(buf)) throw new ClaimsFormatError('claims are not in canonical form');
    return claims;
}

/** REPORTDATA a quote must carry for these claims bytes. */
export function claimsReportData(serialized: Uint8Array): Uint8Array {
    return new Uint8Array(createHash('sha512').update(serialized).digest());
}

function checkName(name: string): void {
    if (name.length < 1 || name.length > MAX_NAME_BYTES || !NAME_PATTERN.test(name)) {
        throw new ClaimsFormatError(`bad extra field name "${name}" (1..${MAX_NAME_BYTES} chars of [a-z0-9_.-])`);
    }
}

function need(buf: Buffer, offset: number, length: number): Buffer {
    if (offset + length > buf.length) throw new ClaimsFormatError('claims truncated');
    return buf.subarray(offset, offset + length);
}

function u64(value: number): Buffer {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(value));
    return b;
}

function compareAscii(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
