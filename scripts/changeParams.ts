import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { readChangeParams } from './lib/params';
import { queryId, sendRootOp } from './lib/root';
import { changeParamsBody } from '../wrappers/root';
import { script } from './lib/boundary';

/**
 * `npx blueprint run changeParams <root> <price nanoTON> <worker fee nanoTON> <proxy delay s> <client delay s>
 *  <min proxy stake TON> <min client stake TON>` (COCOON's change_params; starts a new contract generation).
 */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const root = await a.address('root address');
    const fields = await readChangeParams(a);
    await sendRootOp(provider, root, changeParamsBody(fields, queryId()), 'changed prices, delays and stakes');
});
