import { Address, internal, SendMode, toNano } from '@ton/core';
import { TonClient, WalletContractV4, WalletContractV5R1 } from '@ton/ton';
import { devnetKey } from '../../offchain/chain/cocoon/keys';

/** Deterministic key pairs so test wallets have the same address on every run. */
export const testKey = devnetKey;

export function v4(client: TonClient, name: string) {
    const key = testKey(name);
    return { key, wallet: client.open(WalletContractV4.create({ workchain: 0, publicKey: key.publicKey })) };
}

export function v5(client: TonClient, name: string) {
    const key = testKey(name);
    const wallet = client.open(WalletContractV5R1.create({ publicKey: key.publicKey, walletId: { networkGlobalId: -3 } }));
    return { key, wallet };
}

/** One transfer of `value` to `to` (non-bounceable) from a V4 wallet at its current seqno. */
export async function transferV4(w: ReturnType<typeof v4>, to: Address, value = toNano('1')) {
    const seqno = await w.wallet.getSeqno();
    await w.wallet.sendTransfer({ seqno, secretKey: w.key.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [internal({ to, value, bounce: false })] });
}
