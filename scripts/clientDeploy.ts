// npx blueprint run clientDeploy <proxy> <nonce> [deploy value TON, default 0.8]
// Deploys the connected wallet's client contract for a proxy and registers it with the nonce the proxy service
// asked for (long authentication; 1 TON attached to the register).
import { toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader, parseCoins } from './lib/args';
import { sendFromWallet, senderAddress, showClient } from './lib/payments';
import { memberInputs } from './lib/members';
import { clientAddress, clientStateInit } from '../wrappers/addresses';
import { clientMessages } from '../wrappers/client';
import { script } from './lib/boundary';

export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const proxy = await a.address('proxy');
    const nonce = await a.uint('register nonce', 64);
    const value = parseCoins('deploy value', a.optional('0.8'));
    if (value < toNano('0.2')) throw new Error('deploy value: a client contract needs at least 0.2 TON');
    const inputs = await memberInputs(provider, proxy);
    const address = clientAddress(inputs);
    if (!(await provider.isContractDeployed(address))) {
        await sendFromWallet(provider, address, value, undefined, clientStateInit(inputs));
        await provider.waitForDeploy(address);
        provider.ui().write(`deployed client ${address.toString()}`);
    }
    await sendFromWallet(provider, address, toNano('1'), clientMessages.register(BigInt(Date.now()), nonce, senderAddress(provider)));
    provider.ui().write(`registered with nonce ${nonce}`);
    await showClient(provider, address);
    return address;
});
