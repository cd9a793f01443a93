import { Address, Cell } from '@ton/core';
import { decodeProxyInbound, TransactionWatcher, type ProxyInbound, type WatchedTransaction } from '../chain';
import { clientAddress, workerAddress } from '../../wrappers/addresses';
import { ClientProxyRequest } from '../../wrappers/client';
import { OP_DO_NOT_PROCESS, parseSaveState, type SaveState } from '../../wrappers/proxy';
import { WorkerProxyRequest } from '../../wrappers/worker';
import type { Account } from './accounts';
import type { ProxyContext } from './context';

export type ProxyEvent = ProxyInbound | { kind: 'saveState'; save: SaveState };

/** Decoder for the proxy contract's inbound messages: client and worker requests, and save-state records. */
export function decodeProxyEvent(op: number, body: Cell): ProxyEvent | undefined {
    if (op === OP_DO_NOT_PROCESS) {
        const save = parseSaveState(body);
        return save ? { kind: 'saveState', save } : undefined;
    }
    return decodeProxyInbound(op, body);
}

/** A promise with its resolver, for waits that the watcher ends. */
interface Waiter {
    resolve: () => void;
}

/**
 * Follows the proxy contract: client requests update that client's on-chain snapshot (and admit a long auth on a
 * registration), worker requests update what the worker was paid, and the proxy's own save-state records promote the
 * committed counters, or reveal a database that is not the only live copy (a record this database never wrote).
 * Senders are checked against the derived contract addresses: a 1-nanoTON notice runs no code on the contract, so
 * the contract itself never checked who sent it.
 */
export class ContractWatch {
    private readonly watcher: TransactionWatcher<ProxyEvent>;
    private handled: bigint;
    /** Nonces handed out in long-auth welcomes, and whether their registration was seen already. */
    private readonly issued = new Map<string, { seen: boolean; waiter?: Waiter }>();
    private readonly confirmations: { seqno: number; waiter: Waiter }[] = [];
    private confirmedSeqno = 0;
    /** Told which accounts a confirmed save-state moved on, so their newest signed payment reaches them at once. */
    onPromoted: (accounts: Account[]) => void = () => {};

    constructor(
        private readonly ctx: ProxyContext,
        sinceLt: bigint,
    ) {
        this.handled = sinceLt;
        this.watcher = new TransactionWatcher(ctx.chain, ctx.contract, { sinceLt, decode: decodeProxyEvent, pollMs: ctx.config.chain.pollMs });
    }

    /** lt of the newest transaction handled. */
    get handledLt(): bigint {
        return this.handled;
    }

    /** Newest save-state seqno confirmed on-chain in this run. */
    get lastConfirmed(): number {
        return this.confirmedSeqno;
    }

    start(): void {
        this.watcher.start(
            (t) => this.handle(t),
            (e) => this.ctx.log.warn('contract watcher: poll failed', { error: e }),
        );
    }

    stop(): void {
        this.watcher.stop();
    }

    /** Announces a long-auth nonce, so that its registration is remembered even if seen before the client's auth message. */
    expectRegistration(clientContract: Address, nonce: bigint): void {
        this.issued.set(`${clientContract.toRawString()}:${nonce}`, { seen: false });
    }

    /** Resolves when the client contract has registered `nonce` on-chain; rejects after `timeoutMs`. */
    registration(clientContract: Address, nonce: bigint, timeoutMs: number): Promise<void> {
        const key = `${clientContract.toRawString()}:${nonce}`;
        const entry = this.issued.get(key) ?? { seen: false };
        this.issued.set(key, entry);
        return new Promise<void>((resolve, reject) => {
            if (entry.seen) {
                this.issued.delete(key);
                return resolve();
            }
            const timer = setTimeout(() => {
                this.issued.delete(key);
                reject(new Error(`no registration of nonce ${nonce} by ${clientContract.toRawString()} within ${timeoutMs / 1000} s`));
            }, timeoutMs);
            timer.unref();
            entry.waiter = {
                resolve: () => {
                    clearTimeout(timer);
                    this.issued.delete(key);
                    resolve();
                },
            };
        });
    }

    /** Forgets a nonce whose connection ended. */
    forgetRegistration(clientContract: Address, nonce: bigint): void {
        this.issued.delete(`${clientContract.toRawString()}:${nonce}`);
    }

    /** Resolves once a save-state record with at least this seqno of ours is confirmed on-chain. */
    confirmed(seqno: number): Promise<void> {
        if (this.confirmedSeqno >= seqno) return Promise.resolve();
        return new Promise((resolve) => this.confirmations.push({ seqno, waiter: { resolve } }));
    }

    private handle(t: WatchedTransaction<ProxyEvent>): void {
        const d = t.decoded;
        if (d && t.from) {
            if (d.kind === 'saveState') this.onSaveState(t.from, d.save, t);
            else if (d.kind === 'clientRequest') this.onClientRequest(t.from, d.request, t);
            else this.onWorkerRequest(t.from, d.request, t);
        } else if (t.decodeError) {
            this.ctx.log.debug('contract watcher: undecodable inbound message', { lt: t.lt, error: t.decodeError });
        }
        this.handled = t.lt;
    }

    /** What derives this proxy's client and worker contracts, besides their owner. */
    private member() {
        return { proxyAddress: this.ctx.contract, proxyPublicKey: this.ctx.key.publicKey, params: this.ctx.params };
    }

    /** The proxy's code ran and succeeded, or it ran no code at all (a notice without value): the sender's state stands. */
    private stands(t: WatchedTransaction<ProxyEvent>): boolean {
        return t.outcome.success || t.outcome.skipped !== null;
    }

    private onSaveState(from: Address, save: SaveState, t: WatchedTransaction<ProxyEvent>): void {
        if (!from.equals(this.ctx.wallet.address)) return; // anyone may send such bytes; only our wallet's count
        const known = this.ctx.ledger.saveState(save.seqno);
        if (!known || known.sessionHash !== save.sessionHash) {
            this.ctx.refuse(
                'rollback_detected',
                `rollback detected: save-state record seqno ${save.seqno} session ${save.sessionHash.toString(16).padStart(64, '0')} ` +
                    `(transaction ${t.lt}) was not written by this database: it was restored from a backup or another copy of it is running`,
            );
            return;
        }
        const promoted = this.ctx.ledger.confirm(save.seqno);
        this.ctx.ledger.markSaveState(save.seqno, 'confirmed');
        this.confirmedSeqno = Math.max(this.confirmedSeqno, save.seqno);
        this.ctx.metrics.saveStateSeqno.set(this.confirmedSeqno);
        this.ctx.log.info('save-state confirmed on-chain', { seqno: save.seqno, lt: t.lt, tx: t.hash.toString('hex'), promoted: promoted.length });
        if (promoted.length > 0) this.onPromoted(promoted);
        for (let i = this.confirmations.length - 1; i >= 0; i--) {
            if (this.confirmations[i].seqno <= this.confirmedSeqno) this.confirmations.splice(i, 1)[0].waiter.resolve();
        }
    }

    private onClientRequest(from: Address, r: ClientProxyRequest, t: WatchedTransaction<ProxyEvent>): void {
        if (!clientAddress({ owner: r.clientOwner, ...this.member() }).equals(from)) {
            this.ctx.log.warn("contract watcher: client request from a contract that is not the owner's client contract", { lt: t.lt, from: from.toRawString() });
            return;
        }
        if (!this.stands(t)) return;
        const account = this.ctx.ledger.client(from, r.clientOwner);
        const before = account.snapshot?.tokensUsed ?? 0n;
        account.snapshot = { ...r.snapshot, tokensUsed: r.snapshot.tokensUsed > before ? r.snapshot.tokensUsed : before };
        account.dirty = true;
        if (r.payload?.kind === 'register') {
            const entry = this.issued.get(`${from.toRawString()}:${r.payload.nonce}`);
            if (entry?.waiter) entry.waiter.resolve();
            else if (entry) entry.seen = true;
        }
    }

    private onWorkerRequest(from: Address, r: WorkerProxyRequest, t: WatchedTransaction<ProxyEvent>): void {
        if (!workerAddress({ owner: r.workerOwner, ...this.member() }).equals(from)) {
            this.ctx.log.warn("contract watcher: worker request from a contract that is not the owner's worker contract", { lt: t.lt, from: from.toRawString() });
            return;
        }
        if (!this.stands(t)) return;
        const known = this.ctx.ledger.workers.get(from.toRawString());
        const account = this.ctx.ledger.worker(from, r.workerOwner, known?.model ?? '');
        if (r.tokens > account.paidOnChain) {
            account.paidOnChain = r.tokens;
            account.dirty = true;
        }
    }
}
