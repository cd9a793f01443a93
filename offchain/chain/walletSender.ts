import { Transaction } from '@ton/core';
import type { ChainClient } from './client';
import { ChainApiError, ChainError } from './errors';
import { transactionOutcome, TxOutcome } from './txOutcome';
import { OutgoingMessage, WalletAdapter } from './walletAdapter';
import { awaitResultTx, deliveryStatus, findExecution, sentMessage, signBatch, SignedBatch } from './walletBatch';

export interface MessageOutcome {
    message: OutgoingMessage;
    /** The wallet transaction that carried the message. */
    walletTx: { lt: bigint; hash: Buffer };
    /** Position of the message in its batch (= its out-message index). */
    index: number;
    /** The destination's transaction, when it was found. */
    destination: { lt: bigint; hash: Buffer; outcome: TxOutcome } | null;
    /**
     * delivered: the destination executed it (or, non-bounceable and not executed, was credited its value);
     * failed: the wallet did not send it or the destination failed; unconfirmed: no destination transaction in time.
     */
    status: 'delivered' | 'failed' | 'unconfirmed';
}

export class WalletSendError extends ChainError {}

export interface WalletSenderOptions {
    /** Validity of each signed batch, in chain seconds (COCOON uses an hour). */
    ttlSeconds?: number;
    /** Resend the same signed batch this often while its seqno has not advanced. */
    resendMs?: number;
    pollMs?: number;
    /** How long to look for a message's destination transaction. */
    destinationTimeoutMs?: number;
    /** Give up on a batch the API refuses this many times in a row (e.g. the wallet cannot pay). */
    maxRejections?: number;
    log?: (line: string) => void;
}

interface Queued {
    message: OutgoingMessage;
    resolve: (o: MessageOutcome) => void;
    reject: (e: Error) => void;
}

interface InFlight extends SignedBatch {
    items: Queued[];
    lastSentAt: number;
}

/**
 * Sends messages through a wallet: queues them, signs up to `maxMessages` per external message, resends the same
 * signed message until the wallet's seqno advances, and re-signs only when the old one can no longer execute (its
 * seqno was used by another message, or it expired), so a queued message is never sent twice. Each `send()`
 * resolves with that message's outcome: the wallet transaction and the destination's result.
 */
export class WalletSender {
    private readonly queue: Queued[] = [];
    private inFlight: InFlight | null = null;
    private pumping = false;
    private stopped = false;
    private rejections = 0;
    private timer?: NodeJS.Timeout;
    private readonly opts: Required<Omit<WalletSenderOptions, 'log'>> & { log: (line: string) => void };

    constructor(
        private readonly client: ChainClient,
        readonly wallet: WalletAdapter,
        opts: WalletSenderOptions = {},
    ) {
        this.opts = {
            ttlSeconds: opts.ttlSeconds ?? 3600,
            resendMs: opts.resendMs ?? 30_000,
            pollMs: opts.pollMs ?? 1000,
            destinationTimeoutMs: opts.destinationTimeoutMs ?? 60_000,
            maxRejections: opts.maxRejections ?? 5,
            log: opts.log ?? (() => {}),
        };
    }

    /** Messages queued or in flight. */
    get pending(): number {
        return this.queue.length + (this.inFlight?.items.length ?? 0);
    }

    send(message: OutgoingMessage): Promise<MessageOutcome> {
        if (this.stopped) return Promise.reject(new WalletSendError('wallet sender is stopped'));
        return new Promise((resolve, reject) => {
            this.queue.push({ message, resolve, reject });
            this.schedule(0);
        });
    }

    sendMany(messages: OutgoingMessage[]): Promise<MessageOutcome[]> {
        return Promise.all(messages.map((m) => this.send(m)));
    }

    /** Stops sending and rejects every pending message; the batch in flight is left to the chain and may still execute. */
    stop(): void {
        this.stopped = true;
        if (this.timer) clearTimeout(this.timer);
        for (const q of this.queue.splice(0)) q.reject(new WalletSendError('wallet sender stopped before sending'));
        const flight = this.inFlight;
        this.inFlight = null;
        for (const q of flight?.items ?? []) {
            q.reject(new WalletSendError(`wallet sender stopped with the batch at seqno ${flight!.seqno} in flight: it may still execute`));
        }
    }

    private schedule(ms: number): void {
        if (this.stopped || this.timer) return;
        this.timer = setTimeout(() => {
            this.timer = undefined;
            void this.pump();
        }, ms);
    }

    private async pump(): Promise<void> {
        if (this.pumping || this.stopped) return;
        this.pumping = true;
        let failed = false;
        try {
            if (this.inFlight) await this.check(this.inFlight);
            else if (this.queue.length > 0) await this.dispatch();
        } catch (e) {
            failed = true;
            this.opts.log(`wallet ${this.wallet.address.toString()}: ${(e as Error).message}`);
        } finally {
            this.pumping = false;
        }
        if (this.inFlight || this.queue.length > 0) this.schedule(this.inFlight || failed ? this.opts.pollMs : 0);
    }

    private async dispatch(): Promise<void> {
        const items = this.queue.splice(0, this.wallet.maxMessages);
        let flight: InFlight;
        try {
            flight = await this.sign(items);
        } catch (e) {
            this.queue.unshift(...items);
            throw e;
        }
        try {
            await this.client.sendMessage(flight.message);
        } catch (e) {
            if (!(e instanceof ChainApiError)) {
                // no answer: the message may have reached the chain, so it stays in flight (resent, or left to expire)
                this.inFlight = flight;
                throw e;
            }
            // refused: this signed message was not taken, so its messages may be signed again
            this.queue.unshift(...items);
            if (++this.rejections >= this.opts.maxRejections) {
                this.rejections = 0;
                const failed = this.queue.splice(0, items.length);
                for (const q of failed) q.reject(new WalletSendError(`wallet ${this.wallet.address.toString()} refused the batch ${this.opts.maxRejections} times: ${e.apiMessage}`));
                return;
            }
            throw e;
        }
        this.inFlight = flight;
        this.rejections = 0;
    }

    private async sign(items: Queued[]): Promise<InFlight> {
        const batch = await signBatch(this.client, this.wallet, this.opts.ttlSeconds, items.map((i) => i.message));
        return { ...batch, items, lastSentAt: Date.now() };
    }

    private async check(flight: InFlight): Promise<void> {
        const seqno = await this.wallet.seqno(this.client);
        if (seqno > flight.seqno) {
            const { tx, otherExternal } = await findExecution(this.client, this.wallet.address, flight.afterLt, flight.hashNorm);
            // neither ours nor another external listed yet: the transaction list lags the account, look again later
            if (!tx && !otherExternal) return;
            this.inFlight = null;
            if (!tx) {
                // another message used this seqno; ours can never execute now, so it is safe to sign again
                this.opts.log(`wallet ${this.wallet.address.toString()}: seqno ${flight.seqno} used by another message, re-queueing ${flight.items.length}`);
                this.queue.unshift(...flight.items);
                return;
            }
            this.settle(flight, tx);
            return;
        }
        const account = await this.client.getAccount(this.wallet.address);
        if (account.syncUtime > flight.validUntil) {
            this.inFlight = null;
            this.opts.log(`wallet ${this.wallet.address.toString()}: batch at seqno ${flight.seqno} expired, re-signing ${flight.items.length}`);
            this.queue.unshift(...flight.items);
            return;
        }
        if (Date.now() - flight.lastSentAt >= this.opts.resendMs) {
            flight.lastSentAt = Date.now();
            await this.client.sendMessage(flight.message).catch((e) => this.opts.log(`wallet ${this.wallet.address.toString()}: resend failed: ${(e as Error).message}`));
        }
    }

    private settle(flight: InFlight, tx: Transaction): void {
        const walletTx = { lt: tx.lt, hash: tx.hash() };
        flight.items.forEach((item, index) => {
            const sent = sentMessage(tx, index);
            if (!sent) {
                item.resolve({ message: item.message, walletTx, index, destination: null, status: 'failed' });
                return;
            }
            const wait = { timeoutMs: this.opts.destinationTimeoutMs, pollMs: this.opts.pollMs, cancelled: () => this.stopped };
            void awaitResultTx(this.client, this.wallet.address, sent, wait).then(
                (dest) => {
                    if (!dest) return item.resolve({ message: item.message, walletTx, index, destination: null, status: 'unconfirmed' });
                    const outcome = transactionOutcome(dest);
                    const status = deliveryStatus(outcome, sent.bounce);
                    item.resolve({ message: item.message, walletTx, index, destination: { lt: dest.lt, hash: dest.hash(), outcome }, status });
                },
                (e) => item.reject(e as Error),
            );
        });
    }
}
