import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { readChangeParams } from './lib/params';
import { queryId, sendRootOp } from './lib/root';
import { changeAllParamsBody } from '../wrappers/root';
import { script } from './lib/boundary';

/**
 * `npx blueprint run changeAllParams <root> <price nanoTON> <worker fee nanoTON> <proxy delay s> <client delay s>
 *  <min proxy stake TON> <min client stake TON> <prompt mult> <cached mult> <completion mult> <reasoning mult>`
 * Sets every governable parameter in one step (op 0x9f1e69dc; multipliers: 10000 = x1).
 */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const root = await a.address('root address');
    const fields = await readChangeParams(a);
    const all = {
        ...fields,
        promptTokensPriceMultiplier: await a.smallUint('prompt tokens multiplier', 32),
        cachedTokensPriceMultiplier: await a.smallUint('cached tokens multiplier', 32),
        completionTokensPriceMultiplier: await a.smallUint('completion tokens multiplier', 32),
        reasoningTokensPriceMultiplier: await a.smallUint('reasoning tokens multiplier', 32),
    };
    await sendRootOp(provider, root, changeAllParamsBody(all, queryId()), 'changed every governable parameter');
});
