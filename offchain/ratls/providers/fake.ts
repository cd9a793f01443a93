import type { QuoteProvider } from './types';

/** COCOON's fake TDX: the "quote" is the REPORTDATA itself, so only the key binding is exercised. Tests and local networks only. */
export class FakeQuoteProvider implements QuoteProvider {
    readonly name = 'fake' as const;

    async quote(reportData: Uint8Array): Promise<Uint8Array> {
        return Uint8Array.from(reportData);
    }
}
