import { Address, Cell, loadTransaction, Transaction } from '@ton/core';

/** One executed transaction as the devnet keeps it: enough to page, locate and render it, and to save it. */
export interface TxRecord {
    address: Address;
    /** The devnet block (masterchain seqno) the transaction belongs to. */
    block: number;
    lt: bigint;
    hash: Buffer;
    cell: Cell;
    tx: Transaction;
}

export interface TxQuery {
    /** Newest transaction to return (inclusive); must come with `hash`. */
    lt?: bigint;
    hash?: Buffer;
    /** Stop before this lt: only transactions with lt > toLt are returned. */
    toLt?: bigint;
    limit: number;
}

export class TransactionNotFoundError extends Error {}

/**
 * Transaction history of every account, newest first on read, plus the message indexes that toncenter's
 * `tryLocateResultTx` / `tryLocateSourceTx` need.
 */
export class TransactionIndex {
    private readonly byAccount = new Map<string, TxRecord[]>();
    private readonly byInMessage = new Map<string, TxRecord>();
    private readonly byOutMessage = new Map<string, TxRecord>();
    private readonly byBlock = new Map<number, TxRecord[]>();
    private readonly ordered: TxRecord[] = [];

    add(address: Address, cell: Cell, block: number): TxRecord {
        const tx = loadTransaction(cell.beginParse());
        const rec: TxRecord = { address, block, lt: tx.lt, hash: cell.hash(), cell, tx };
        let inBlock = this.byBlock.get(block);
        if (!inBlock) this.byBlock.set(block, (inBlock = []));
        inBlock.push(rec);
        const key = address.toRawString();
        let list = this.byAccount.get(key);
        if (!list) this.byAccount.set(key, (list = []));
        list.push(rec);
        this.ordered.push(rec);
        const inInfo = tx.inMessage?.info;
        if (inInfo?.type === 'internal') {
            this.byInMessage.set(messageKey(inInfo.src, inInfo.dest, inInfo.createdLt), rec);
        }
        for (const out of tx.outMessages.values()) {
            if (out.info.type === 'internal') this.byOutMessage.set(messageKey(out.info.src, out.info.dest, out.info.createdLt), rec);
        }
        return rec;
    }

    /** The account's transactions, newest first, paged as toncenter's `getTransactions` does. */
    list(address: Address, q: TxQuery): TxRecord[] {
        const list = this.byAccount.get(address.toRawString()) ?? [];
        let start = list.length - 1;
        if (q.lt !== undefined) {
            start = list.findIndex((r) => r.lt === q.lt);
            if (start < 0 || (q.hash && !list[start].hash.equals(q.hash))) {
                throw new TransactionNotFoundError(`transaction lt=${q.lt} not found on ${address.toString()}`);
            }
        }
        const out: TxRecord[] = [];
        for (let i = start; i >= 0 && out.length < q.limit; i--) {
            if (q.toLt !== undefined && list[i].lt <= q.toLt) break;
            out.push(list[i]);
        }
        return out;
    }

    /** The block's transactions in execution (lt) order. */
    inBlock(block: number): readonly TxRecord[] {
        return this.byBlock.get(block) ?? [];
    }

    /** The transaction on `destination` caused by the message `source` created at `createdLt`. */
    locateResult(source: Address, destination: Address, createdLt: bigint): TxRecord | undefined {
        return this.byInMessage.get(messageKey(source, destination, createdLt));
    }

    /** The transaction on `source` that created the message to `destination` at `createdLt`. */
    locateSource(source: Address, destination: Address, createdLt: bigint): TxRecord | undefined {
        return this.byOutMessage.get(messageKey(source, destination, createdLt));
    }

    /** Every transaction in execution order (for saving). */
    all(): readonly TxRecord[] {
        return this.ordered;
    }

    get size(): number {
        return this.ordered.length;
    }
}

function messageKey(src: Address, dest: Address, createdLt: bigint): string {
    return `${src.toRawString()}>${dest.toRawString()}@${createdLt}`;
}
