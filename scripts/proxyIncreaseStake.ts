// npx blueprint run proxyIncreaseStake <proxy> <amount TON>
// Adds to the proxy's stake (anyone may); sends amount + 0.2 TON, the excess returns to the connected wallet.
import { toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { openProxy, sendFromWallet, senderAddress, showProxy } from './lib/payments';
import { proxyMessages } from '../wrappers/proxy';
import { script } from './lib/boundary';

export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const proxy = await a.address('proxy');
    const amount = await a.coins('stake to add');
    await openProxy(provider, proxy);
    await sendFromWallet(provider, proxy, amount + toNano('0.2'), proxyMessages.increaseStake(BigInt(Date.now()), amount, senderAddress(provider)));
    await showProxy(provider, proxy);
});
