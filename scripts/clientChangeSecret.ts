// npx blueprint run clientChangeSecret <client> <secret>
// The client owner publishes sha256(secret) for the proxy's short authentication.
import { toNano } from '@ton/core';
import { sha256 } from '@ton/crypto';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { openClient, sendFromWallet, senderAddress, showClient } from './lib/payments';
import { clientMessages } from '../wrappers/client';
import { script } from './lib/boundary';

export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const client = await a.address('client');
    const secret = await a.text('secret');
    await openClient(provider, client);
    const hash = BigInt('0x' + (await sha256(secret)).toString('hex'));
    await sendFromWallet(provider, client, toNano('0.7'), clientMessages.changeSecretHash(BigInt(Date.now()), hash, senderAddress(provider)));
    provider.ui().write(`secret hash ${hash.toString(16).padStart(64, '0')}`);
    await showClient(provider, client);
});
