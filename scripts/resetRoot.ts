import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { ScriptError } from './lib/codes';
import { queryId, sendRootOp } from './lib/root';
import { resetRootBody } from '../wrappers/root';
import { script } from './lib/boundary';

/** `npx blueprint run resetRoot <root> yes`: clear every hash and registered proxy (seqnos keep counting). */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const root = await a.address('root address');
    if (!(await a.bool('really clear all hashes and proxies'))) {
        throw new ScriptError('reset not confirmed');
    }
    await sendRootOp(provider, root, resetRootBody(queryId()), 'cleared the registry');
});
