import { computeImageHash } from '../../offchain/attest';
import type { TdxQuoteVerifier } from '../../offchain/ratls/examineCertificate';
import type { QuoteEvidence } from '../../offchain/ratls/report';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Stands in for Intel's signature chain in tests that need a "verified" TDX quote with chosen contents (DEBUG,
 * MRTD, TCB status): decodes the synthetic quote's fields and declares the chain valid. The real verifier is
 * exercised separately against real quotes.
 */
export function trustingTdxVerifier(tcbStatus = 'UpToDate'): TdxQuoteVerifier {
    return (quote: Uint8Array): QuoteEvidence => {
        const field = (offset: number, size: number) => hex(quote.subarray(offset, offset + size));
        const registers = {
            mrTd: field(184, 48),
            mrConfigId: field(232, 48),
            mrOwner: field(280, 48),
            mrOwnerConfig: field(328, 48),
            rtmr0: field(376, 48),
            rtmr1: field(424, 48),
            rtmr2: field(472, 48),
            rtmr3: field(520, 48),
        };
        return {
            ok: true,
            checks: [],
            ...registers,
            reportData: field(568, 64),
            tdAttributes: field(168, 8),
            imageHash: computeImageHash(registers),
            debug: (quote[168] & 1) === 1,
            signatureChainValid: true,
            tcbStatus,
        };
    };
}

/** Collects log lines a server or client writes. */
export function logSink(): { lines: string[]; log: (line: string) => void } {
    const lines: string[] = [];
    return { lines, log: (line) => lines.push(line) };
}
