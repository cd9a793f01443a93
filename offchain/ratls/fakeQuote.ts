import { computeImageHash } from '../attest';
import type { ProviderName, QuoteEvidence } from './report';

/** A fake quote is exactly the 64 bytes of REPORTDATA (COCOON's fake TDX): no signature, no measurements. */
export const FAKE_QUOTE_BYTES = 64;

const ZERO_REGISTER = '00'.repeat(48);
const ZERO_REGISTERS = {
    mrTd: ZERO_REGISTER,
    mrConfigId: ZERO_REGISTER,
    mrOwner: ZERO_REGISTER,
    mrOwnerConfig: ZERO_REGISTER,
    rtmr0: ZERO_REGISTER,
    rtmr1: ZERO_REGISTER,
    rtmr2: ZERO_REGISTER,
    rtmr3: ZERO_REGISTER,
};

/** Image hash of a fake TD: the COCOON image hash over all-zero registers (5c55c8f4…4b61). */
export const FAKE_IMAGE_HASH = computeImageHash(ZERO_REGISTERS);

/**
 * Evidence of a fake quote (the caller has seen it is FAKE_QUOTE_BYTES long): registers zero, REPORTDATA = the
 * quote itself. Nothing is signed, so nothing is proven beyond the key binding.
 */
export function fakeQuoteEvidence(quote: Uint8Array): QuoteEvidence {
    return {
        ok: true,
        checks: [{ name: 'fakeQuote', ok: true, detail: 'unsigned stand-in quote, all measurements zero' }],
        ...ZERO_REGISTERS,
        reportData: Buffer.from(quote).toString('hex'),
        tdAttributes: '00'.repeat(8),
        imageHash: FAKE_IMAGE_HASH,
        debug: false,
        signatureChainValid: false,
    };
}

/** Which provider made a certificate's quote: none without one, fake for the 64-byte stand-in, otherwise tdx. */
export function quoteProvider(quote: Uint8Array | undefined): ProviderName {
    return !quote ? 'none' : quote.length === FAKE_QUOTE_BYTES ? 'fake' : 'tdx';
}
