// npx blueprint run clientIncreaseStake <client> <new stake TON>
// The client owner raises its stake (the proxy's credit line); it can only grow.
import { toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { openClient, sendFromWallet, senderAddress, showClient } from './lib/payments';
import { clientMessages, readClientState } from '../wrappers/client';
import { script } from './lib/boundary';

export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const client = await a.address('client');
    const stake = await a.coins('new stake');
    const s = await readClientState(await openClient(provider, client));
    if (stake <= s.stake) throw new Error(`new stake: must exceed the current ${s.stake} nanoTON`);
    await sendFromWallet(provider, client, toNano('0.7'), clientMessages.increaseStake(BigInt(Date.now()), stake, senderAddress(provider)));
    await showClient(provider, client);
});
