import { sha256_sync } from '@ton/crypto';
import { sign, signVerify } from '../../wrappers/ed25519';
import { createHash } from 'crypto';
import type { AdjustedTokens, Receipt } from './messages';

/** SHA-256 (hex) of a request or response body. */
export const bodyHash = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

export class ReceiptError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ReceiptError';
    }
}

/** One field per line in a fixed order, so the signed bytes never depend on JSON key order. */
export function receiptSigningText(r: Omit<Receipt, 'signature'>): string {
    const t: AdjustedTokens = r.tokens;
    return [
        'cocoon-receipt/1',
        r.requestId,
        r.proxyContract,
        r.clientContract,
        r.workerContract,
        r.requestHash,
        r.responseHash,
        String(r.coefficient),
        `${t.prompt},${t.cached},${t.completion},${t.reasoning},${t.total}`,
        r.pricePerToken,
        r.cost,
        r.clientTotal,
        String(r.at),
    ].join('\n');
}

/** Signs with the proxy's payment key (64-byte Ed25519 secret as @ton/crypto uses). */
export function signReceipt(fields: Omit<Receipt, 'signature' | 'version'>, secretKey: Buffer): Receipt {
    const unsigned = { version: 1 as const, ...fields };
    const signature = sign(sha256_sync(receiptSigningText(unsigned)), secretKey).toString('hex');
    return { ...unsigned, signature };
}

export interface ReceiptExpectation {
    /** The proxy payment key (32 bytes) the client verified through attestation and the proxy contract. */
    publicKey: Buffer;
    requestId: string;
    proxyContract: string;
    clientContract: string;
    requestHash: string;
    responseHash: string;
    /** The tokens the answer reported. */
    tokens: AdjustedTokens;
}

/** Checks a receipt against what the client sent and received; throws ReceiptError naming the first mismatch. */
export function verifyReceipt(r: Receipt, expect: ReceiptExpectation): void {
    const same = (name: keyof ReceiptExpectation & keyof Receipt) => {
        if (r[name] !== expect[name]) throw new ReceiptError(`receipt ${name} is ${String(r[name])}, expected ${String(expect[name])}`);
    };
    same('requestId');
    same('proxyContract');
    same('clientContract');
    same('requestHash');
    same('responseHash');
    const t = r.tokens;
    const e = expect.tokens;
    if (t.prompt !== e.prompt || t.cached !== e.cached || t.completion !== e.completion || t.reasoning !== e.reasoning || t.total !== e.total) {
        throw new ReceiptError(`receipt tokens ${JSON.stringify(t)} differ from the answer's ${JSON.stringify(e)}`);
    }
    if (t.total !== t.prompt + t.cached + t.completion + t.reasoning) throw new ReceiptError('receipt total is not the sum of its classes');
    if (BigInt(r.cost) !== BigInt(t.total) * BigInt(r.pricePerToken)) throw new ReceiptError(`receipt cost ${r.cost} ≠ ${t.total} × ${r.pricePerToken}`);
    if (!/^[0-9a-f]{128}$/.test(r.signature) || !signVerify(sha256_sync(receiptSigningText(r)), Buffer.from(r.signature, 'hex'), expect.publicKey)) {
        throw new ReceiptError('receipt signature does not verify with the proxy payment key');
    }
}
