// Deriving the client and worker contracts of the connected wallet for a proxy, from the proxy's own getter.
import { Address } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { openProxy, senderAddress } from './payments';
import { readProxyParams, readProxyState } from '../../wrappers/proxy';
import { MemberInputs } from '../../wrappers/addresses';

/** Inputs of the connected wallet's client or worker contract at `proxy` (its generation's params and key). */
export async function memberInputs(provider: NetworkProvider, proxy: Address): Promise<MemberInputs> {
    const p = await openProxy(provider, proxy);
    const state = await readProxyState(p);
    return { owner: senderAddress(provider), proxyAddress: proxy, proxyPublicKey: state.proxyPublicKey, params: await readProxyParams(p) };
}
