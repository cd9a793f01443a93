import { Address, Cell, fromNano, toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { readWalletState, WalletMessageError, WalletState } from '../../wrappers/wallet';
import { ArgumentError } from './args';
import { ScriptError } from './codes';
import { sendAndWait } from './send';

/** Value attached to an owner op; "w" returns it with everything else. */
export const WALLET_OP_VALUE = toNano('0.05');

export async function loadWallet(provider: NetworkProvider, wallet: Address): Promise<WalletState> {
    const s = await readWalletState(provider.provider(wallet)).catch((e) => {
        if (e instanceof WalletMessageError) throw new ScriptError(`${wallet.toString()}: ${e.message}`);
        throw e;
    });
    if (!s) {
        throw new ArgumentError(`no cocoon wallet is deployed at ${wallet.toString()}`);
    }
    return s;
}

export async function formatWallet(provider: NetworkProvider, wallet: Address, s: WalletState): Promise<string> {
    const balance = (await provider.getContractState(wallet)).balance;
    return [
        `cocoon wallet ${wallet.toString()}`,
        `  balance ${fromNano(balance)} TON, seqno ${s.seqno}, subwallet ${s.subwalletId}, ${s.blocked ? 'BLOCKED' : 'key active'}`,
        `  public key ${s.publicKey.toString('hex')}`,
        `  owner ${s.owner.toString()}`,
    ].join('\n');
}

/** Sends an owner op from the provider's wallet (which must be the cocoon wallet's owner) and prints the result. */
export async function sendWalletOp(provider: NetworkProvider, wallet: Address, body: Cell, done: string): Promise<void> {
    const s = await loadWallet(provider, wallet);
    const me = provider.sender().address;
    if (me && !me.equals(s.owner)) {
        throw new ScriptError(`the sender ${me.toString()} is not the wallet owner ${s.owner.toString()}`);
    }
    await sendAndWait(provider, { to: wallet, value: WALLET_OP_VALUE, body });
    provider.ui().write(done);
    provider.ui().write(await formatWallet(provider, wallet, await loadWallet(provider, wallet)));
}
