// npx blueprint run clientRequestRefund <client>
// First call: normal → closing, refunding what exceeds the stake. Second call, after client_delay_before_close:
// closed, with the rest refunded from the proxy's stake.
import { toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { openClient, sendFromWallet, senderAddress, showClient } from './lib/payments';
import { clientMessages } from '../wrappers/client';
import { script } from './lib/boundary';

export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const client = await a.address('client');
    await openClient(provider, client);
    await sendFromWallet(provider, client, toNano('0.7'), clientMessages.requestRefund(BigInt(Date.now()), senderAddress(provider)));
    await showClient(provider, client);
});
