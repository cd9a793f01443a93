import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { formatRootState, loadRoot } from './lib/root';
import { script } from './lib/boundary';

/** `npx blueprint run showRoot <root>`: print everything the root stores. */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const root = await a.address('root address');
    provider.ui().write(formatRootState(root, await loadRoot(provider, root)));
});
