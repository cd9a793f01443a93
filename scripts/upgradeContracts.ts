import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { contractCodes } from './lib/codes';
import { queryId, sendRootOp } from './lib/root';
import { upgradeContractsBody } from '../wrappers/root';
import { script } from './lib/boundary';

/**
 * `npx blueprint run upgradeContracts <root>`: hand out the proxy, worker and client codes of `build/`
 * (run `npx blueprint build --all` first). Starts a new contract generation.
 */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const root = await a.address('root address');
    const codes = contractCodes();
    await sendRootOp(provider, root, upgradeContractsBody(codes, queryId()), 'replaced the proxy, worker and client codes');
});
