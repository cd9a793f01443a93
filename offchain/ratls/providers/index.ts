import { QuoteProviderError } from '../errors';
import type { ProviderName } from '../report';
import { TsmQuoteProvider, type TsmQuoteProviderOptions } from './configfsTsm';
import { FakeQuoteProvider } from './fake';
import { NoQuoteProvider } from './none';
import type { QuoteProvider } from './types';

export { TsmQuoteProvider, DEFAULT_TSM_ROOT, type TsmFs, type TsmQuoteProviderOptions } from './configfsTsm';
export { FakeQuoteProvider } from './fake';
export { NoQuoteProvider } from './none';
export type { QuoteProvider } from './types';

/** The provider for a name given on a command line or in a config file. */
export function createQuoteProvider(name: string, tsm: TsmQuoteProviderOptions = {}): QuoteProvider {
    switch (name as ProviderName) {
        case 'tdx':
            return new TsmQuoteProvider(tsm);
        case 'fake':
            return new FakeQuoteProvider();
        case 'none':
            return new NoQuoteProvider();
        default:
            throw new QuoteProviderError(`unknown quote provider "${name}" (expected tdx, fake or none)`);
    }
}
