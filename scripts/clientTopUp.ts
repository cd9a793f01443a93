// npx blueprint run clientTopUp <client> <amount TON>
// Deposits TON for a client (anyone may); amount + 0.7 TON attached, the excess returns to the wallet.
import { toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { openClient, sendFromWallet, senderAddress, showClient } from './lib/payments';
import { clientMessages } from '../wrappers/client';
import { script } from './lib/boundary';

export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const client = await a.address('client');
    const amount = await a.coins('top-up');
    if (amount <= 0n) throw new Error('top-up: must be more than 0 TON');
    await openClient(provider, client);
    await sendFromWallet(provider, client, amount + toNano('0.7'), clientMessages.topUp(BigInt(Date.now()), amount, senderAddress(provider)));
    await showClient(provider, client);
});
