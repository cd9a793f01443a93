import { Blockchain, SandboxContract, SendMessageResult, TreasuryContract } from '@ton/sandbox';
import { Cell, toNano } from '@ton/core';
import { KeyPair, keyPairFromSeed } from '@ton/crypto';
import { CocoonWallet, signedWalletBody, walletFromInit, WalletOutMessage } from '../../wrappers/wallet';

export interface WalletFixture {
    blockchain: Blockchain;
    owner: SandboxContract<TreasuryContract>;
    stranger: SandboxContract<TreasuryContract>;
    key: KeyPair;
    wallet: SandboxContract<CocoonWallet>;
}

/** The reference suite's wallet key (seed 03…03). */
export const WALLET_KEY = keyPairFromSeed(Buffer.alloc(32, 3));
export const WRONG_KEY = keyPairFromSeed(Buffer.alloc(32, 0x99));

/** A wallet deployed with `balance` (default 5 TON) owned by `owner`. */
export async function deployWallet(balance: bigint = toNano('5')): Promise<WalletFixture> {
    const blockchain = await Blockchain.create();
    blockchain.now = 1_800_000_000;
    const owner = await blockchain.treasury('owner');
    const stranger = await blockchain.treasury('stranger');
    const wallet = blockchain.openContract(await walletFromInit(WALLET_KEY.publicKey, owner.address));
    await wallet.send(owner.getSender(), { value: balance, bounce: false }, null);
    return { blockchain, owner, stranger, key: WALLET_KEY, wallet };
}

/** Sends a signed external message (defaults: subwallet 0, valid one hour, the wallet key). */
export function sendExternal(
    f: WalletFixture,
    args: { seqno: number; messages: WalletOutMessage[]; validUntil?: number; subwalletId?: number; secretKey?: Buffer },
): Promise<SendMessageResult> {
    const body: Cell = signedWalletBody({
        wallet: f.wallet.address,
        secretKey: args.secretKey ?? f.key.secretKey,
        subwalletId: args.subwalletId,
        validUntil: args.validUntil ?? f.blockchain.now! + 3600,
        seqno: args.seqno,
        messages: args.messages,
    });
    return f.blockchain.sendMessage({ info: { type: 'external-in', dest: f.wallet.address, importFee: 0n }, body });
}
