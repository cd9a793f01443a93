import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { sendWalletOp } from './lib/wallet';
import { walletCommandBody } from '../wrappers/wallet';
import { script } from './lib/boundary';

/** `npx blueprint run walletWithdraw <wallet>`: withdraw everything but at most 0.01 TON to the owner. */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const wallet = await a.address('cocoon wallet address');
    await sendWalletOp(provider, wallet, walletCommandBody('w'), 'withdrew to the owner');
});
