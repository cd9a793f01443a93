import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { queryId, sendRootOp } from './lib/root';
import { changeOwnerBody } from '../wrappers/root';
import { script } from './lib/boundary';

/** `npx blueprint run changeRootOwner <root> <new owner>`: hand governance to another address (e.g. a multisig). */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const root = await a.address('root address');
    const owner = await a.address('new owner');
    await sendRootOp(provider, root, changeOwnerBody(owner, queryId()), `the root owner is now ${owner.toString()}`);
});
