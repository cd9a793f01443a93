import { randomBytes } from 'crypto';

/** A fresh request id (128 random bits, hex). */
export const newRequestId = (): string => randomBytes(16).toString('hex');

/** A random 64-bit query_id or nonce, as the contracts take them. */
export const randomU64 = (): bigint => randomBytes(8).readBigUInt64BE(0);
