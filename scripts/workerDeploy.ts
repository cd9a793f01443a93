// npx blueprint run workerDeploy <proxy> [value TON, default 0.3]
// Deploys the connected wallet's worker contract for a proxy (the wallet is the worker's payout owner).
import { toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader, parseCoins } from './lib/args';
import { sendFromWallet, showWorker } from './lib/payments';
import { memberInputs } from './lib/members';
import { workerAddress, workerStateInit } from '../wrappers/addresses';
import { script } from './lib/boundary';

export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const proxy = await a.address('proxy');
    const value = parseCoins('value', a.optional('0.3'));
    if (value < toNano('0.15')) throw new Error('value: a worker contract needs at least 0.15 TON');
    const inputs = await memberInputs(provider, proxy);
    const address = workerAddress(inputs);
    if (await provider.isContractDeployed(address)) {
        provider.ui().write(`worker ${address.toString()} is already deployed`);
    } else {
        await sendFromWallet(provider, address, value, undefined, workerStateInit(inputs));
        await provider.waitForDeploy(address);
    }
    await showWorker(provider, address);
    return address;
});
