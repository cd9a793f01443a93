import { Address, toNano } from '@ton/core';
import { KeyPair } from '@ton/crypto';
import { internalMessageCell, readWalletState, signedWalletBody, WALLET_MAX_MESSAGES, walletFromInit } from '../../../wrappers/wallet';
import type { ChainClient } from '../client';
import { WalletAdapter } from '../walletAdapter';

/** The CocoonWallet refuses key-signed sends below this balance (exit code 1035, as COCOON's). */
export const COCOON_WALLET_MIN_BALANCE = toNano('2');

/**
 * The service's `CocoonWallet` for `WalletSender`: four messages per external, seqno from the raw account data,
 * each message sent whole with COCOON's mode (0, or 1 — pay fees separately — when it carries at most 1 nanoTON; the
 * wallet adds +2), signed for this wallet's address only.
 */
export async function cocoonWalletAdapter(key: KeyPair, owner: Address, subwalletId = 0): Promise<WalletAdapter> {
    const wallet = await walletFromInit(key.publicKey, owner, subwalletId);
    const init = wallet.init!;
    return {
        address: wallet.address,
        init,
        maxMessages: WALLET_MAX_MESSAGES,
        minBalance: COCOON_WALLET_MIN_BALANCE,
        async seqno(client: ChainClient) {
            return (await readWalletState(client.provider(wallet.address)))?.seqno ?? 0;
        },
        createTransfer(seqno, validUntil, messages) {
            return signedWalletBody({
                wallet: wallet.address,
                secretKey: key.secretKey,
                subwalletId,
                validUntil,
                seqno,
                messages: messages.map((m) => ({
                    mode: m.value <= 1n ? 1 : 0,
                    message: internalMessageCell({ to: m.to, value: m.value, bounce: m.bounce ?? true, body: m.body, init: m.init }),
                })),
            });
        },
    };
}
