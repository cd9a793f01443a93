import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { checkFee } from './lib/params';
import { queryId, sendRootOp } from './lib/root';
import { changePriceBody } from '../wrappers/root';
import { script } from './lib/boundary';

/** `npx blueprint run changePrice <root> <price nanoTON> <worker fee nanoTON>` (starts a new contract generation). */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const root = await a.address('root address');
    const price = await a.nano('price per token');
    const fee = await a.nano('worker fee per token');
    checkFee(price, fee);
    await sendRootOp(provider, root, changePriceBody(price, fee, queryId()), `price ${price}, worker fee ${fee} nanoTON per token`);
});
