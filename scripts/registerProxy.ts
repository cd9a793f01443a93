import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { queryId, sendRootOp } from './lib/root';
import { registerProxyBody } from '../wrappers/root';

/** `npx blueprint run registerProxy <root> "<HOST:PORT>[ <HOST:PORT for clients>]"`: register a proxy endpoint. */
export async function run(provider: NetworkProvider, args: string[]) {
    const a = new ArgReader(args, provider.ui());
    const root = await a.address('root address');
    const descriptor = await a.descriptor('proxy endpoints');
    await sendRootOp(provider, root, registerProxyBody(descriptor, queryId()), `registered proxy "${descriptor}"`);
}
