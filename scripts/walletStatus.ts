import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { formatWallet, loadWallet } from './lib/wallet';
import { script } from './lib/boundary';

/** `npx blueprint run walletStatus <wallet>`: print the cocoon wallet's state. */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const wallet = await a.address('cocoon wallet address');
    provider.ui().write(await formatWallet(provider, wallet, await loadWallet(provider, wallet)));
});
