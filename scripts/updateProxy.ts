import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { ScriptError } from './lib/codes';
import { loadRoot, queryId, sendRootOp } from './lib/root';
import { MAX_DESCRIPTOR_BYTES_UPDATE } from '../wrappers/descriptor';
import { updateProxyBody } from '../wrappers/root';
import { script } from './lib/boundary';

/** `npx blueprint run updateProxy <root> <seqno> "<endpoints>"`: replace a registered proxy's endpoints. */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const root = await a.address('root address');
    const seqno = await a.smallUint('proxy seqno', 32);
    const descriptor = await a.descriptor('proxy endpoints', MAX_DESCRIPTOR_BYTES_UPDATE);
    if (!(await loadRoot(provider, root)).registry.registeredProxies.has(seqno)) {
        throw new ScriptError(`no proxy is registered under seqno ${seqno}`);
    }
    await sendRootOp(provider, root, updateProxyBody(seqno, descriptor, queryId()), `proxy #${seqno} is now "${descriptor}"`);
});
