import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { compiledCode, ScriptError } from './lib/codes';
import { queryId, sendRootOp } from './lib/root';
import { upgradeCodeBody } from '../wrappers/root';
import { script } from './lib/boundary';

/**
 * `npx blueprint run upgradeRoot <root>`: replace the root's own code with `build/CocoonRoot.compiled.json`.
 * The new code must read the same storage layout.
 */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const root = await a.address('root address');
    const code = compiledCode('CocoonRoot');
    const s = (await provider.getContractState(root)).state;
    if (s.type === 'active' && s.code && s.code.equals(code.toBoc())) {
        throw new ScriptError('the root already runs this code');
    }
    await sendRootOp(provider, root, upgradeCodeBody(code, queryId()), `root code is now ${code.hash().toString('hex')}`);
});
