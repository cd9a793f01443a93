import { Address, Cell, internal, MessageRelaxed, SendMode, StateInit } from '@ton/core';
import { KeyPair } from '@ton/crypto';
import { WalletContractV4, WalletContractV5R1 } from '@ton/ton';
import type { ChainClient } from './client';

/** One message a wallet is asked to send. */
export interface OutgoingMessage {
    to: Address;
    value: bigint;
    body?: Cell;
    init?: StateInit;
    /** Default true, as for any message to a contract. */
    bounce?: boolean;
}

/**
 * What `WalletSender` needs from a wallet contract: its address and init, how many messages one external carries,
 * how to read its seqno, and how to sign a batch. Standard wallets are below; `CocoonWallet` has its own.
 */
export interface WalletAdapter {
    readonly address: Address;
    readonly init: StateInit;
    readonly maxMessages: number;
    /** Below this balance the wallet refuses every external message (CocoonWallet: 2 TON); none when absent. */
    readonly minBalance?: bigint;
    seqno(client: ChainClient): Promise<number>;
    /** Body of the external message that sends `messages` at `seqno`, valid until `validUntil` (unix time). */
    createTransfer(seqno: number, validUntil: number, messages: OutgoingMessage[]): Promise<Cell> | Cell;
}

function relaxed(m: OutgoingMessage): MessageRelaxed {
    return internal({ to: m.to, value: m.value, body: m.body, init: m.init, bounce: m.bounce ?? true });
}

async function seqnoOf(client: ChainClient, address: Address): Promise<number> {
    const account = await client.getAccount(address);
    if (account.state !== 'active') return 0;
    return (await client.get(address, 'seqno')).readNumber();
}

/** The two standard wallets sign a transfer the same way through @ton/ton. */
type StandardWallet = (WalletContractV4 | WalletContractV5R1) & {
    createTransfer(args: { seqno: number; secretKey: Buffer; timeout: number; sendMode: SendMode; messages: MessageRelaxed[] }): Cell;
};

function standardAdapter(wallet: StandardWallet, key: KeyPair, maxMessages: number): WalletAdapter {
    return {
        address: wallet.address,
        init: wallet.init,
        maxMessages,
        seqno: (client) => seqnoOf(client, wallet.address),
        createTransfer: (seqno, validUntil, messages) =>
            wallet.createTransfer({ seqno, secretKey: key.secretKey, timeout: validUntil, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: messages.map(relaxed) }),
    };
}

export function walletV4Adapter(key: KeyPair, workchain = 0): WalletAdapter {
    return standardAdapter(WalletContractV4.create({ workchain, publicKey: key.publicKey }) as StandardWallet, key, 4);
}

export function walletV5R1Adapter(key: KeyPair, networkGlobalId = -239): WalletAdapter {
    return standardAdapter(WalletContractV5R1.create({ publicKey: key.publicKey, walletId: { networkGlobalId } }) as StandardWallet, key, 255);
}
