import { beginCell, fromNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader, parseCell, parseSmallUint } from './lib/args';
import { sendWalletOp } from './lib/wallet';
import { internalMessageCell, ownerSendMessageBody } from '../wrappers/wallet';
import { script } from './lib/boundary';

/**
 * `npx blueprint run walletSend <wallet> <to> <value TON> <bounce yes/no> [body BOC | "comment:<text>"] [mode]`:
 * make the cocoon wallet send a message (e.g. to drive a client contract whose owner it is). Default mode 1.
 */
export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const wallet = await a.address('cocoon wallet address');
    const to = await a.address('destination');
    const value = await a.coins('value');
    const bounce = await a.bool('bounceable');
    const rawBody = a.optional('');
    const body = rawBody === ''
        ? undefined
        : rawBody.startsWith('comment:')
          ? beginCell().storeUint(0, 32).storeStringTail(rawBody.slice('comment:'.length)).endCell()
          : parseCell('body', rawBody);
    const mode = parseSmallUint('mode', a.optional('1'), 8);
    const message = internalMessageCell({ to, value, bounce, body });
    await sendWalletOp(provider, wallet, ownerSendMessageBody(message, mode), `sent ${fromNano(value)} TON to ${to.toString()} (mode ${mode})`);
});
