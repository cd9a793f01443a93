import { NetworkProvider } from '@ton/blueprint';
import { ArgReader, parseCoins } from './lib/args';
import { contractCodes, ScriptError } from './lib/codes';
import { readChangeParams } from './lib/params';
import { sendAndWait } from './lib/send';
import { formatRootState, loadRoot } from './lib/root';
import { MULTIPLIER_ONE, PARAMS_STRUCT_VERSION } from '../wrappers/params';
import { rootFromInit } from '../wrappers/root';
import { script } from './lib/boundary';

/**
 * `npx blueprint run deployRoot <owner> <unique_id> <is_test> <price nanoTON> <worker fee nanoTON>
 *  <proxy delay s> <client delay s> <min proxy stake TON> <min client stake TON> [value TON]`
 * Deploys a root with params version 1, multipliers x1 and the proxy/worker/client codes of `build/`.
 */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const owner = await a.address('owner (a multisig or DAO address is fine)');
    const uniqueId = await a.smallUint('unique_id', 32);
    const isTest = await a.bool('is_test');
    const fields = await readChangeParams(a);
    const value = parseCoins('value', a.optional('1'));
    const codes = contractCodes();
    const root = provider.open(
        await rootFromInit(owner, {
            structVersion: PARAMS_STRUCT_VERSION,
            paramsVersion: 1,
            uniqueId,
            isTest,
            ...fields,
            promptTokensPriceMultiplier: MULTIPLIER_ONE,
            cachedTokensPriceMultiplier: MULTIPLIER_ONE,
            completionTokensPriceMultiplier: MULTIPLIER_ONE,
            reasoningTokensPriceMultiplier: MULTIPLIER_ONE,
            proxyScCode: codes.proxy,
            workerScCode: codes.worker,
            clientScCode: codes.client,
        }),
    );
    if (await provider.isContractDeployed(root.address)) {
        throw new ScriptError(`a root with these params is already deployed at ${root.address.toString()}`);
    }
    // Not Blueprint's waitForDeploy: it prints an explorer link, for testnet even when the endpoint is a devnet.
    await sendAndWait(provider, { to: root.address, value, init: root.init });
    if (!(await provider.isContractDeployed(root.address))) {
        throw new ScriptError(`the deployment reached ${root.address.toString()} but the root is not active: see its transaction`);
    }
    provider.ui().write(`deployed the root at ${root.address.toString()}`);
    provider.ui().write(formatRootState(root.address, await loadRoot(provider, root.address)));
    return root.address;
});
