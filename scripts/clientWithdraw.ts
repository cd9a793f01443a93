// npx blueprint run clientWithdraw <client>
// The client owner takes back what exceeds its stake (paid by the proxy contract).
import { toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { openClient, sendFromWallet, senderAddress, showClient } from './lib/payments';
import { clientMessages, readClientState } from '../wrappers/client';
import { script } from './lib/boundary';

export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const client = await a.address('client');
    const s = await readClientState(await openClient(provider, client));
    if (s.balance <= s.stake) throw new Error(`nothing to withdraw: balance ${s.balance} does not exceed the stake ${s.stake}`);
    await sendFromWallet(provider, client, toNano('0.7'), clientMessages.withdraw(BigInt(Date.now()), senderAddress(provider)));
    await showClient(provider, client);
});
