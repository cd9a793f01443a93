import { verifyQuote, type Collateral, type QuoteReport } from '../attest';
import type { TdxQuoteVerifier } from './examineCertificate';
import type { QuoteEvidence } from './report';

export interface AttestQuoteVerifierOptions {
    /** Intel collateral for a quote (usually from a caching PCCS fetcher); without it no TCB status is known. */
    collateralFor?: (quote: Uint8Array) => Collateral | undefined | Promise<Collateral | undefined>;
    /** Pinned root key hash; default Intel's SGX Root CA. Only test PKIs change it. */
    rootKeyHash?: string;
}

/** The `tdx` quote verifier: offchain/attest's DCAP verification, its report narrowed to what policies use. */
export function attestQuoteVerifier(options: AttestQuoteVerifierOptions = {}): TdxQuoteVerifier {
    return async (quote, at) => {
        const collateral = await options.collateralFor?.(quote);
        return toEvidence(verifyQuote(quote, { collateral, at, rootKeyHash: options.rootKeyHash }));
    };
}

/** Throws when the quote did not even parse (no registers to report); otherwise carries every check through. */
export function toEvidence(report: QuoteReport): QuoteEvidence {
    const { mrTd, mrConfigId, mrOwner, mrOwnerConfig, rtmr0, rtmr1, rtmr2, rtmr3, reportData, tdAttributes, imageHash } = report;
    if (
        mrTd === undefined || mrConfigId === undefined || mrOwner === undefined || mrOwnerConfig === undefined ||
        rtmr0 === undefined || rtmr1 === undefined || rtmr2 === undefined || rtmr3 === undefined ||
        reportData === undefined || tdAttributes === undefined || imageHash === undefined
    ) {
        const failed = report.checks.find((c) => !c.ok);
        throw new Error(failed ? `${failed.name}: ${failed.detail ?? 'failed'}` : 'quote did not parse');
    }
    return {
        ok: report.ok,
        checks: report.checks,
        mrTd,
        mrConfigId,
        mrOwner,
        mrOwnerConfig,
        rtmr0,
        rtmr1,
        rtmr2,
        rtmr3,
        reportData,
        tdAttributes,
        imageHash,
        debug: report.debug === true,
        signatureChainValid: report.signatureChainValid,
        tcbStatus: report.tcbStatus,
        advisoryIds: report.advisoryIds,
    };
}
