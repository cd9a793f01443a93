import { toNano } from '@ton/core';
import { KeyPair } from '@ton/crypto';
import { ChainClient } from '../../offchain/chain/client';
import { requestFaucet } from '../../offchain/chain/faucet';
import { walletV4Adapter } from '../../offchain/chain/walletAdapter';
import { MessageOutcome, WalletSender } from '../../offchain/chain/walletSender';
import { testKey } from '../devnet/wallets';

export { devnetParams } from '../../offchain/devnet/cocoonDefaults';

/** A funded V4 wallet and a sender over it. */
export async function fundedSender(chain: ChainClient, endpoint: string, name: string, amount = toNano('100')) {
    const key: KeyPair = testKey(name);
    const wallet = walletV4Adapter(key);
    await requestFaucet(endpoint, wallet.address, amount);
    return { key, address: wallet.address, sender: new WalletSender(chain, wallet, { pollMs: 5 }) };
}

export function expectDelivered(o: MessageOutcome): void {
    if (o.status !== 'delivered') {
        throw new Error(`message to ${o.message.to.toString()} ${o.status}: ${JSON.stringify(o.destination?.outcome)}`);
    }
}

