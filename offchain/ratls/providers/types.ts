import type { ProviderName } from '../report';

/** Produces the quote placed in a certificate for the given 64-byte REPORTDATA; `none` produces no quote. */
export interface QuoteProvider {
    readonly name: ProviderName;
    quote(reportData: Uint8Array): Promise<Uint8Array | undefined>;
}
