// npx blueprint run proxyWithdraw <proxy>
// Pays the proxy's earnings to its owner (anyone may ask); 0.2 TON attached, the excess returns to the wallet.
import { toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { openProxy, sendFromWallet, senderAddress, showProxy } from './lib/payments';
import { proxyMessages, readProxyState } from '../wrappers/proxy';
import { script } from './lib/boundary';

export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const proxy = await a.address('proxy');
    const before = await readProxyState(await openProxy(provider, proxy));
    await sendFromWallet(provider, proxy, toNano('0.2'), proxyMessages.payoutRequest(BigInt(Date.now()), senderAddress(provider)));
    provider.ui().write(`asked to pay ${before.balance} nanoTON of earnings to ${before.owner.toString()}`);
    await showProxy(provider, proxy);
});
