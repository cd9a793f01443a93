import type { QuoteProvider } from './types';

/** No attestation: the certificate carries neither quote nor claims (COCOON's `--tdx none`). */
export class NoQuoteProvider implements QuoteProvider {
    readonly name = 'none' as const;

    async quote(): Promise<undefined> {
        return undefined;
    }
}
