// npx blueprint run proxyCloseComplete <proxy> <signed close-complete envelope, BOC>
// Submits a close-complete signed by the proxy key (made by the proxy service); after the delay it pays
// everything but 0.01 TON to the proxy owner. 1 TON attached.
import { toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { openProxy, sendFromWallet, senderAddress, showProxy } from './lib/payments';
import { readProxyState } from '../wrappers/proxy';
import { publicKeyBuffer } from '../wrappers/addresses';
import { repackEnvelope, validateEnvelope } from '../wrappers/signing';
import { script } from './lib/boundary';

export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const proxy = await a.address('proxy');
    const envelope = await a.cell('signed close-complete');
    const s = await readProxyState(await openProxy(provider, proxy));
    const publicKey = publicKeyBuffer(s.proxyPublicKey);
    validateEnvelope(envelope, { publicKey, kinds: ['closeComplete'], address: proxy });
    const now = Math.floor(Date.now() / 1000);
    if (s.unlockTs > now) provider.ui().write(`warning: the proxy unlocks at ${s.unlockTs}, ${s.unlockTs - now} s from now`);
    await sendFromWallet(provider, proxy, toNano('1'), repackEnvelope(envelope, senderAddress(provider)));
    await showProxy(provider, proxy);
});
