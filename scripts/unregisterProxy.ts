import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { ScriptError } from './lib/codes';
import { loadRoot, queryId, sendRootOp } from './lib/root';
import { unregisterProxyBody } from '../wrappers/root';
import { script } from './lib/boundary';

/** `npx blueprint run unregisterProxy <root> <seqno>`: remove a registered proxy. */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const root = await a.address('root address');
    const seqno = await a.smallUint('proxy seqno', 32);
    if (!(await loadRoot(provider, root)).registry.registeredProxies.has(seqno)) {
        throw new ScriptError(`no proxy is registered under seqno ${seqno}`);
    }
    await sendRootOp(provider, root, unregisterProxyBody(seqno, queryId()), `unregistered proxy #${seqno}`);
});
