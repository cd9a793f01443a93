import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { queryId, sendRootOp } from './lib/root';
import { registerProxyBody } from '../wrappers/root';
import { script } from './lib/boundary';

/** `npx blueprint run registerProxy <root> "<HOST:PORT>[ <HOST:PORT for clients>]"`: register a proxy endpoint. */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const root = await a.address('root address');
    const descriptor = await a.descriptor('proxy endpoints');
    await sendRootOp(provider, root, registerProxyBody(descriptor, queryId()), `registered proxy "${descriptor}"`);
});
