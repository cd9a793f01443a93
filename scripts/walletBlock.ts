import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { sendWalletOp } from './lib/wallet';
import { walletCommandBody } from '../wrappers/wallet';
import { script } from './lib/boundary';

/** `npx blueprint run walletBlock <wallet>`: block the service key (externals fail with 1031). */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const wallet = await a.address('cocoon wallet address');
    await sendWalletOp(provider, wallet, walletCommandBody('b'), 'blocked the key');
});
