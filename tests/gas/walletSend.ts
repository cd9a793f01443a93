// Sending one message through the proxy's own CocoonWallet in the payments sandbox, as the services do: an external
// message the wallet signs for, the message, and everything it causes.
import { Address, Cell, toNano } from '@ton/core';
import { SandboxContract, SendMessageResult } from '@ton/sandbox';
import { PaymentsSandbox } from '../contracts/payments.setup';
import { proxyKeys } from '../contracts/payments.fixtures';
import { CocoonWallet, internalMessageCell, signedWalletBody, walletFromInit } from '../../wrappers/wallet';

/** The proxy key's CocoonWallet, owned by the proxy owner, deployed with 100 TON. */
export async function deployProxyWallet(s: PaymentsSandbox): Promise<SandboxContract<CocoonWallet>> {
    const wallet = s.blockchain.openContract(await walletFromInit(proxyKeys.publicKey, s.proxyOwner.address));
    await s.proxyOwner.send({ to: wallet.address, value: toNano('100'), init: wallet.init, bounce: false });
    return wallet;
}

/** The wallet's external message carrying one mode-1 message; rejects when any transaction that ran the TVM failed. */
export async function sendFromWallet(
    s: PaymentsSandbox,
    wallet: Address,
    seqno: number,
    message: { to: Address; value: bigint; bounce: boolean; body: Cell },
): Promise<SendMessageResult> {
    const body = signedWalletBody({ wallet, secretKey: proxyKeys.secretKey, validUntil: s.blockchain.now! + 60, seqno, messages: [{ mode: 1, message: internalMessageCell(message) }] });
    const r = await s.blockchain.sendMessage({ info: { type: 'external-in', dest: wallet, importFee: 0n }, body });
    // a transaction without a compute phase is a 1-nanoTON record the contract does not run (a charge's notice)
    const failed = r.transactions.filter((t) => t.description.type === 'generic' && t.description.computePhase.type === 'vm' && (t.description.aborted || !t.description.computePhase.success));
    if (failed.length > 0) throw new Error(`a message from the proxy wallet to ${message.to.toString()} failed`);
    return r;
}
