// npx blueprint run proxyClose <proxy>
// The proxy owner starts closing the proxy (text command "c"); it can be completed after proxy_delay_before_close
// with a close-complete signed by the proxy key (proxyCloseComplete).
import { toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { openProxy, sendFromWallet, senderAddress, showProxy } from './lib/payments';
import { proxyMessages, ProxyState, readProxyState } from '../wrappers/proxy';
import { script } from './lib/boundary';

export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const proxy = await a.address('proxy');
    const s = await readProxyState(await openProxy(provider, proxy));
    if (!s.owner.equals(senderAddress(provider))) throw new Error(`only the proxy owner ${s.owner.toString()} can close it`);
    if (s.state !== ProxyState.normal) throw new Error('the proxy is already closing or closed');
    await sendFromWallet(provider, proxy, toNano('0.2'), proxyMessages.closeText());
    await showProxy(provider, proxy);
});
