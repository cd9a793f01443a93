// npx blueprint run proxyDeploy <root> <owner> <proxy public key> [value TON, default 0.3]
// Deploys a proxy contract of the root's current params generation for a proxy key and payout owner.
import { toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader, parseCoins } from './lib/args';
import { sendFromWallet, showProxy } from './lib/payments';
import { readRootState } from '../wrappers/root';
import { proxyAddress, proxyStateInit } from '../wrappers/addresses';
import { script } from './lib/boundary';

export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const root = await a.address('root');
    const owner = await a.address('proxy owner (payout address)');
    const proxyPublicKey = await a.publicKey('proxy public key');
    const value = parseCoins('value', a.optional('0.3'));
    if (value < toNano('0.1')) throw new Error('value: a proxy needs at least 0.1 TON to be deployed');
    const { params } = await readRootState(provider.provider(root));
    const inputs = { owner, proxyPublicKey, root, params };
    const address = proxyAddress(inputs);
    if (await provider.isContractDeployed(address)) {
        provider.ui().write(`proxy ${address.toString()} is already deployed`);
    } else {
        await sendFromWallet(provider, address, value, undefined, proxyStateInit(inputs));
        await provider.waitForDeploy(address);
        provider.ui().write(`deployed the proxy of params version ${params.paramsVersion}`);
    }
    await showProxy(provider, address);
    return address;
});
