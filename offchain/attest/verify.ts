import { createHash, KeyObject } from 'crypto';
import { Certificate, p256KeyFromRaw, verifyRawSignature } from './certificate';
import { chainFailure, INTEL_SGX_ROOT_KEY_SHA384, parseChain } from './chain';
import { Collateral } from './collateral';
import { checkCollateral } from './collateralChecks';
import { toHex } from './hex';
import { computeImageHash } from './imageHash';
import { isDebugTd, parseQuote, TdxQuote } from './quote';
import { Check, CHECKS, QuoteReport } from './report';
import { SHARED_SIGNATURE_CACHE, SignatureCache, UNCACHED_SIGNATURES } from './signatureCache';

export interface VerifyOptions {
    /** Intel collateral for the quote's platform; without it only the signature chain is checked. */
    collateral?: Collateral;
    /** Time at which certificates, CRLs, TCB info and QE identity must be valid. Default: now. */
    at?: Date;
    /** Root public-key hash to pin (SHA-384 of 0x04 ‖ X ‖ Y). Default: the Intel SGX Root CA. For test PKIs. */
    rootKeyHash?: string;
    /**
     * Where certificate, CRL, collateral and QE report signature results are remembered (never the signature over
     * the quote's body): default one cache for the process; false verifies every signature on every call.
     */
    signatureCache?: SignatureCache | false;
}

/** Records checks in order; a check whose prerequisite failed is recorded as failed with the reason. */
export class CheckList {
    readonly checks: Check[] = [];

    /** `run` returns undefined (pass), a string (failure reason) or { detail } (pass with a note). */
    add(name: string, run: () => string | undefined | { detail: string }): boolean {
        let result: string | undefined | { detail: string };
        try {
            result = run();
        } catch (e) {
            result = (e as Error).message;
        }
        if (typeof result === 'string') this.checks.push({ name, ok: false, detail: result });
        else this.checks.push(result ? { name, ok: true, detail: result.detail } : { name, ok: true });
        return typeof result !== 'string';
    }

    skip(name: string, reason: string): false {
        this.checks.push({ name, ok: false, detail: `not checked: ${reason}` });
        return false;
    }
}

/** Parses and verifies a TDX quote. Never throws: every problem is a failed check in the report. */
export function verifyQuote(bytes: Uint8Array, opts: VerifyOptions = {}): QuoteReport {
    const at = opts.at ?? new Date();
    const pin = (opts.rootKeyHash ?? INTEL_SGX_ROOT_KEY_SHA384).toLowerCase();
    const sigs = opts.signatureCache === false ? UNCACHED_SIGNATURES : (opts.signatureCache ?? SHARED_SIGNATURE_CACHE);
    const list = new CheckList();
    let quote: TdxQuote | undefined;
    list.add(CHECKS.parse, () => {
        quote = parseQuote(bytes);
        return undefined;
    });
    if (!quote) {
        for (const name of Object.values(CHECKS).slice(1, opts.collateral ? undefined : 6)) list.skip(name, 'quote did not parse');
        return { ok: false, signatureChainValid: false, checks: list.checks };
    }
    const q = quote;
    let certs: readonly Certificate[] | undefined;
    let certError = '';
    try {
        certs = parseChain(q.pckChainData, 'PCK chain');
    } catch (e) {
        certError = (e as Error).message;
    }
    list.add(CHECKS.quoteSignature, () => {
        let key: KeyObject;
        try {
            key = p256KeyFromRaw(q.attestationKey);
        } catch {
            return 'attestation key is not a P-256 point';
        }
        return verifyRawSignature(q.signedPart, q.signature, key) ? undefined : 'quote signature does not verify with the attestation key';
    });
    list.add(CHECKS.qeReportSignature, () => {
        if (!certs) return certError;
        return sigs.bytesSignedBy(q.qeReport.raw, q.qeReportSignature, certs[0])
            ? undefined
            : 'QE report signature does not verify with the PCK certificate key';
    });
    list.add(CHECKS.qeReportDataBinding, () => {
        const expected = createHash('sha256').update(q.attestationKey).update(q.qeAuthData).digest();
        const rd = q.qeReport.reportData;
        if (!expected.equals(rd.subarray(0, 32))) return 'QE report data is not SHA-256(attestation key ‖ QE auth data)';
        return rd.subarray(32).every((b) => b === 0) ? undefined : 'QE report data bytes 32..63 are not zero';
    });
    list.add(CHECKS.pckChain, () => (certs ? chainFailure(certs, at, 'PCK chain', sigs) : certError));
    const rootHash = certs?.[certs.length - 1].keyHash;
    list.add(CHECKS.rootPin, () => {
        if (!rootHash) return certError;
        return rootHash === pin ? undefined : `PCK chain root key SHA-384 ${rootHash} is not the pinned root ${pin}`;
    });
    const signatureChainValid = list.checks.every((c) => c.ok);
    const tcb = opts.collateral ? checkCollateral(list, q, certs, opts.collateral, at, pin, sigs) : undefined;
    const b = q.body;
    return {
        ok: list.checks.every((c) => c.ok),
        signatureChainValid,
        version: q.header.version,
        teeType: q.header.teeType,
        mrTd: toHex(b.mrTd),
        mrConfigId: toHex(b.mrConfigId),
        mrOwner: toHex(b.mrOwner),
        mrOwnerConfig: toHex(b.mrOwnerConfig),
        rtmr0: toHex(b.rtmr[0]),
        rtmr1: toHex(b.rtmr[1]),
        rtmr2: toHex(b.rtmr[2]),
        rtmr3: toHex(b.rtmr[3]),
        reportData: toHex(b.reportData),
        tdAttributes: toHex(b.tdAttributes),
        xfam: toHex(b.xfam),
        mrSeam: toHex(b.mrSeam),
        imageHash: computeImageHash({
            mrTd: b.mrTd,
            mrConfigId: b.mrConfigId,
            mrOwner: b.mrOwner,
            mrOwnerConfig: b.mrOwnerConfig,
            rtmr0: b.rtmr[0],
            rtmr1: b.rtmr[1],
            rtmr2: b.rtmr[2],
            rtmr3: b.rtmr[3],
        }),
        collateralRootHash: rootHash,
        debug: isDebugTd(b.tdAttributes),
        ...(tcb ? { tcbStatus: tcb.status, advisoryIds: tcb.advisoryIds } : {}),
        checks: list.checks,
    };
}
