import { Address, external, Message, Transaction } from '@ton/core';
import type { ChainClient } from './client';
import { normalizedMessageHash } from './messageHash';
import { TxOutcome } from './txOutcome';
import { OutgoingMessage, WalletAdapter } from './walletAdapter';

/** One signed external message of a wallet: what it takes to (re)send it and to find the transaction that ran it. */
export interface SignedBatch {
    seqno: number;
    validUntil: number;
    message: Message;
    hashNorm: Buffer;
    /** lt of the wallet's last transaction before signing: the batch's transaction comes after it. */
    afterLt: bigint;
}

/** Signs `messages` at the wallet's current seqno, valid `ttlSeconds` of chain time; the init travels until the wallet is active. */
export async function signBatch(client: ChainClient, wallet: WalletAdapter, ttlSeconds: number, messages: OutgoingMessage[]): Promise<SignedBatch> {
    const account = await client.getAccount(wallet.address);
    const seqno = await wallet.seqno(client);
    const validUntil = account.syncUtime + ttlSeconds;
    const body = await wallet.createTransfer(seqno, validUntil, messages);
    const init = account.state === 'active' ? undefined : wallet.init;
    const message = external({ to: wallet.address, body, init });
    return { seqno, validUntil, message, hashNorm: normalizedMessageHash(message), afterLt: account.last?.lt ?? 0n };
}

export interface ExecutionSearch {
    /** The wallet transaction whose external message has the normalised hash looked for. */
    tx: Transaction | null;
    /**
     * Another external message executed since `afterLt`. When the seqno has advanced and `tx` is null, this is what
     * proves the seqno was taken by someone else rather than the transaction list lagging behind the account state.
     */
    otherExternal: boolean;
}

/** Searches every wallet transaction after `afterLt` (all pages) for the one that executed the external with `hashNorm`. */
export async function findExecution(client: ChainClient, wallet: Address, afterLt: bigint, hashNorm: Buffer): Promise<ExecutionSearch> {
    let otherExternal = false;
    for await (const page of client.pagesSince(wallet, afterLt)) {
        for (const t of page) {
            if (t.inMessage?.info.type !== 'external-in') continue;
            if (normalizedMessageHash(t.inMessage).equals(hashNorm)) return { tx: t, otherExternal };
            otherExternal = true;
        }
    }
    return { tx: null, otherExternal };
}

/** The internal message a wallet transaction sent at `index`, or null when it sent none there (the action phase failed). */
export function sentMessage(tx: Transaction, index: number): { dest: Address; createdLt: bigint; bounce: boolean } | null {
    const out = tx.outMessages.get(index);
    if (!out || out.info.type !== 'internal') return null;
    return { dest: out.info.dest, createdLt: out.info.createdLt, bounce: out.info.bounce };
}

/**
 * Whether the destination took a message: it executed it, or — for a non-bounceable message whose compute phase was
 * skipped (no code, or too little value to run any) — it was credited the value, which is delivery too.
 */
export function deliveryStatus(outcome: TxOutcome, bounceable: boolean): 'delivered' | 'failed' {
    return outcome.success || (!bounceable && outcome.skipped !== null) ? 'delivered' : 'failed';
}

/** Polls for the destination transaction of a message until found, `timeoutMs` passes, or `cancelled()`. */
export async function awaitResultTx(
    client: ChainClient,
    source: Address,
    sent: { dest: Address; createdLt: bigint },
    opts: { timeoutMs: number; pollMs: number; cancelled?: () => boolean },
): Promise<Transaction | null> {
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
        const tx = await client.locateResultTx(source, sent.dest, sent.createdLt);
        if (tx || Date.now() >= deadline || opts.cancelled?.()) return tx;
        await new Promise((r) => setTimeout(r, opts.pollMs));
    }
}
