import { Address, Cell, Transaction } from '@ton/core';
import type { ChainClient } from './client';
import { messageOp, transactionOutcome, TxOutcome } from './txOutcome';

export interface WatchedTransaction<D = unknown> {
    tx: Transaction;
    lt: bigint;
    hash: Buffer;
    /** Kind of the inbound message ('internal', 'external-in') or null for none. */
    inbound: 'internal' | 'external-in' | null;
    /** Op of the inbound internal message, null for externals and empty bodies. */
    op: number | null;
    /** Inbound internal message sender. */
    from: Address | null;
    value: bigint;
    outcome: TxOutcome;
    /** What `decode` made of the inbound body (undefined when it had no decoder for the op, or it failed). */
    decoded: D | undefined;
    /** Why `decode` failed on this body: anyone can send any bytes to a contract, so it never stops the watcher. */
    decodeError: string | null;
}

export interface WatcherOptions<D> {
    /** Report only transactions after this lt (default: from the account's first transaction). */
    sinceLt?: bigint;
    /** Page size of each `getTransactions` call. */
    pageSize?: number;
    /** Poll interval of `start()`. */
    pollMs?: number;
    /** Turns an inbound body into a typed message, by op; return undefined for ops it does not know. */
    decode?: (op: number, body: Cell) => D | undefined;
}

/**
 * Follows one contract's transactions: each `poll()` returns the transactions since the last one seen, oldest
 * first, decoded by op. `start()` polls on a timer and hands each to a callback, in order, exactly once.
 */
export class TransactionWatcher<D = unknown> {
    private lastLtValue: bigint;
    private timer?: NodeJS.Timeout;
    private running = false;
    private readonly pageSize: number;

    constructor(
        private readonly client: ChainClient,
        readonly address: Address,
        private readonly opts: WatcherOptions<D> = {},
    ) {
        this.lastLtValue = opts.sinceLt ?? 0n;
        this.pageSize = opts.pageSize ?? 50;
    }

    /** lt of the newest transaction reported so far. */
    get lastLt(): bigint {
        return this.lastLtValue;
    }

    async poll(): Promise<WatchedTransaction<D>[]> {
        const collected: Transaction[] = [];
        for await (const page of this.client.pagesSince(this.address, this.lastLtValue, this.pageSize)) collected.push(...page);
        const fresh = collected.reverse();
        if (fresh.length > 0) this.lastLtValue = fresh[fresh.length - 1].lt;
        return fresh.map((t) => this.describe(t));
    }

    private describe(tx: Transaction): WatchedTransaction<D> {
        const inMsg = tx.inMessage;
        const info = inMsg?.info;
        const op = info?.type === 'internal' ? messageOp(inMsg!.body) : null;
        let decoded: D | undefined;
        let decodeError: string | null = null;
        if (op !== null && this.opts.decode) {
            try {
                decoded = this.opts.decode(op, inMsg!.body);
            } catch (e) {
                decodeError = (e as Error).message;
            }
        }
        return {
            tx,
            lt: tx.lt,
            hash: tx.hash(),
            inbound: info?.type === 'internal' || info?.type === 'external-in' ? info.type : null,
            op,
            from: info?.type === 'internal' ? info.src : null,
            value: info?.type === 'internal' ? info.value.coins : 0n,
            outcome: transactionOutcome(tx),
            decoded,
            decodeError,
        };
    }

    /**
     * Polls every `pollMs` until `stop()`. A failing poll or callback goes to `onError`; the transaction whose
     * callback failed, and those after it, are handed over again on the next tick.
     */
    start(onTransaction: (t: WatchedTransaction<D>) => void | Promise<void>, onError: (e: Error) => void = () => {}): void {
        if (this.running) return;
        this.running = true;
        const tick = async () => {
            try {
                let delivered = this.lastLtValue;
                const batch = await this.poll();
                try {
                    for (const t of batch) {
                        await onTransaction(t);
                        delivered = t.lt;
                    }
                } catch (e) {
                    this.lastLtValue = delivered; // the failed one and the rest come again next tick
                    throw e;
                }
            } catch (e) {
                onError(e as Error);
            }
            if (this.running) this.timer = setTimeout(tick, this.opts.pollMs ?? 1000);
        };
        void tick();
    }

    stop(): void {
        this.running = false;
        if (this.timer) clearTimeout(this.timer);
    }
}
