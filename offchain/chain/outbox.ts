import { Address, beginCell, Cell, fromNano, loadMessage, loadStateInit, StateInit, storeMessage, storeStateInit, Transaction } from '@ton/core';
import type { Database } from 'better-sqlite3';
import type { ChainClient } from './client';
import { ChainApiError, ChainError } from './errors';
import { describeOutcome, transactionOutcome } from './txOutcome';
import { OutgoingMessage, WalletAdapter } from './walletAdapter';
import { awaitResultTx, deliveryStatus, findExecution, sentMessage, signBatch } from './walletBatch';

export type OutboxState = 'queued' | 'sent' | 'confirmed' | 'failed';

/** A message the service has decided to send. `intent` names the decision; enqueuing the same intent again is a no-op. */
export interface OutboxIntent {
    intent: string;
    to: Address;
    value: bigint;
    body?: Cell;
    init?: StateInit;
    /** Default true. */
    bounce?: boolean;
}

export interface OutboxRecord {
    id: number;
    intent: string;
    to: Address;
    value: bigint;
    /** queued → sent → confirmed (the wallet sent it) or failed (the chain shows the wallet did not). */
    state: OutboxState;
    /** Unix milliseconds. */
    createdAt: number;
    /** Seqno and expiry (unix seconds) of the signed external carrying it, once signed. */
    batchSeqno: number | null;
    validUntil: number | null;
    walletTx: { lt: bigint; hash: string } | null;
    destination: { lt: bigint; hash: string; exitCode: number | null; success: boolean } | null;
    /** Known once the destination transaction was found (or looked for in vain: 'unconfirmed'); null before. */
    outcome: 'delivered' | 'failed' | 'unconfirmed' | null;
    /** Why it failed, or why a queued intent is waiting again (refused, expired, seqno taken). */
    reason: string | null;
}

/** A record as status pages and JSON show it: bigints as decimal strings, addresses raw. */
export interface OutboxItem {
    id: number;
    intent: string;
    to: string;
    value: string;
    state: OutboxState;
    outcome: OutboxRecord['outcome'];
    createdAt: number;
    walletTx: string | null;
    tx: string | null;
    exitCode: number | null;
    reason: string | null;
}

/** What an operator looks at: how many intents are in each state, the newest ones, and the newest settlements. */
export interface OutboxSummary {
    counts: Record<OutboxState, number>;
    pending: number;
    recent: OutboxItem[];
    settlements: OutboxItem[];
}

export function outboxItem(r: OutboxRecord): OutboxItem {
    return {
        id: r.id,
        intent: r.intent,
        to: r.to.toRawString(),
        value: r.value.toString(),
        state: r.state,
        outcome: r.outcome,
        createdAt: r.createdAt,
        walletTx: r.walletTx?.hash ?? null,
        tx: r.destination?.hash ?? null,
        exitCode: r.destination?.exitCode ?? null,
        reason: r.reason,
    };
}

export interface OutboxOptions {
    /** better-sqlite3, opened by the service (WAL); the outbox adds its `outbox_` tables. */
    db: Database;
    chain: ChainClient;
    wallet: WalletAdapter;
    /** Validity of each signed batch, in chain seconds (COCOON uses an hour). */
    ttlSeconds?: number;
    /** Resend the stored external this often while its seqno has not advanced. */
    resendMs?: number;
    pollMs?: number;
    /** How long to look for a message's destination transaction before calling it 'unconfirmed'. */
    destinationTimeoutMs?: number;
    log?: (line: string) => void;
    /** Lines an operator must act on (a wallet short of TON); default `log`. */
    alert?: (line: string) => void;
}

export class OutboxError extends ChainError {}

/** Longest wait between two sends of a batch the API keeps refusing. */
const MAX_REFUSAL_BACKOFF_MS = 30_000;

interface IntentRow {
    id: number;
    intent: string;
    dest: string;
    value: string;
    body: string | null;
    init: string | null;
    bounce: number;
    state: OutboxState;
    created_at: number;
    batch_id: number | null;
    batch_index: number | null;
    batch_seqno: number | null;
    valid_until: number | null;
    wallet_tx_lt: string | null;
    wallet_tx_hash: string | null;
    out_lt: string | null;
    dest_lt: string | null;
    dest_hash: string | null;
    dest_exit_code: number | null;
    dest_success: number | null;
    outcome: OutboxRecord['outcome'];
    reason: string | null;
}

interface BatchRow {
    id: number;
    seqno: number;
    valid_until: number;
    hash_norm: string;
    boc: string;
    after_lt: string;
    /** The API refused its last send: its intents read 'queued' while it waits to be sent again. */
    refused: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox_batches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    wallet TEXT NOT NULL,
    seqno INTEGER NOT NULL,
    valid_until INTEGER NOT NULL,
    hash_norm TEXT NOT NULL,
    boc TEXT NOT NULL,
    after_lt TEXT NOT NULL,
    refused INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox_intents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    wallet TEXT NOT NULL,
    intent TEXT NOT NULL,
    dest TEXT NOT NULL,
    value TEXT NOT NULL,
    body TEXT,
    init TEXT,
    bounce INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'confirmed', 'failed')),
    created_at INTEGER NOT NULL,
    batch_id INTEGER REFERENCES outbox_batches (id),
    batch_index INTEGER,
    batch_seqno INTEGER,
    valid_until INTEGER,
    wallet_tx_lt TEXT,
    wallet_tx_hash TEXT,
    out_lt TEXT,
    dest_lt TEXT,
    dest_hash TEXT,
    dest_exit_code INTEGER,
    dest_success INTEGER,
    outcome TEXT,
    reason TEXT,
    UNIQUE (wallet, intent)
);
CREATE INDEX IF NOT EXISTS outbox_intents_by_state ON outbox_intents (wallet, state, id);
CREATE INDEX IF NOT EXISTS outbox_intents_by_batch ON outbox_intents (batch_id);
`;

function settled(r: OutboxRecord): boolean {
    return r.state === 'failed' || (r.state === 'confirmed' && r.outcome !== null);
}

function toBoc(cell: Cell): string {
    return cell.toBoc().toString('base64');
}

/**
 * The durable outbox of one wallet: every message is stored in SQLite before it is signed, each signed batch (its
 * external message, seqno, expiry, normalised hash) is stored before it is sent, and the state of every intent is
 * kept until the chain shows what became of it. A new Outbox on the same database resumes: a stored batch is only
 * resent as stored, and its intents are signed again only once it can no longer execute (its seqno was taken by
 * another message, or it expired). One Outbox per wallet at a time.
 */
export class Outbox {
    private readonly db: Database;
    private readonly chain: ChainClient;
    private readonly wallet: WalletAdapter;
    private readonly walletKey: string;
    private readonly opts: {
        ttlSeconds: number;
        resendMs: number;
        pollMs: number;
        destinationTimeoutMs: number;
        log: (line: string) => void;
        alert: (line: string) => void;
    };
    private readonly listeners = new Set<(r: OutboxRecord) => void>();
    private readonly lookups = new Map<number, Promise<void>>();
    private stopped = true;
    private timer?: NodeJS.Timeout;
    private timerAt = 0;
    private running: Promise<void> | null = null;
    private wakeAgain = false;
    /** When the stored batch was last sent by this instance (0 after a restart: resend at once, it is the same message). */
    private lastSentAt = 0;
    private refusals = 0;
    private retryAt = 0;
    /** The wallet's transactions up to this lt were searched for the stored batch while its seqno stood still. */
    private searchedLt = 0n;

    constructor(opts: OutboxOptions) {
        this.db = opts.db;
        this.chain = opts.chain;
        this.wallet = opts.wallet;
        this.walletKey = opts.wallet.address.toRawString();
        this.opts = {
            ttlSeconds: opts.ttlSeconds ?? 3600,
            resendMs: opts.resendMs ?? 30_000,
            pollMs: opts.pollMs ?? 1000,
            destinationTimeoutMs: opts.destinationTimeoutMs ?? 60_000,
            log: opts.log ?? (() => {}),
            alert: opts.alert ?? opts.log ?? (() => {}),
        };
        this.db.exec(SCHEMA);
    }

    /** Stores the intent (synchronously) unless one with the same key exists; returns the stored record either way. */
    enqueue(i: OutboxIntent): OutboxRecord {
        if (i.value < 0n) throw new RangeError(`outbox intent ${i.intent}: negative value ${i.value}`);
        this.db
            .prepare(
                `INSERT INTO outbox_intents (wallet, intent, dest, value, body, init, bounce, state, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?) ON CONFLICT (wallet, intent) DO NOTHING`,
            )
            .run(
                this.walletKey,
                i.intent,
                i.to.toRawString(),
                i.value.toString(),
                i.body ? toBoc(i.body) : null,
                i.init ? toBoc(beginCell().store(storeStateInit(i.init)).endCell()) : null,
                i.bounce === false ? 0 : 1,
                Date.now(),
            );
        this.schedule(0);
        return this.byIntent(i.intent)!;
    }

    get(id: number): OutboxRecord | undefined {
        const row = this.row(id);
        return row && this.record(row);
    }

    byIntent(intent: string): OutboxRecord | undefined {
        const row = this.db.prepare('SELECT * FROM outbox_intents WHERE wallet = ? AND intent = ?').get(this.walletKey, intent) as
            | IntentRow
            | undefined;
        return row && this.record(row);
    }

    /** In id order (`newestFirst`: the reverse); `intentPrefixes` keeps the intents that start with one of them. */
    list(filter: { states?: OutboxState[]; limit?: number; newestFirst?: boolean; intentPrefixes?: string[] } = {}): OutboxRecord[] {
        const states = filter.states ?? [];
        const prefixes = filter.intentPrefixes ?? [];
        let where = states.length > 0 ? ` AND state IN (${states.map(() => '?').join(', ')})` : '';
        // substr, not LIKE: an intent may hold '_' or '%'
        if (prefixes.length > 0) where += ` AND (${prefixes.map(() => 'substr(intent, 1, ?) = ?').join(' OR ')})`;
        const rows = this.db
            .prepare(`SELECT * FROM outbox_intents WHERE wallet = ?${where} ORDER BY id${filter.newestFirst ? ' DESC' : ''} LIMIT ?`)
            .all(this.walletKey, ...states, ...prefixes.flatMap((p) => [p.length, p]), filter.limit ?? -1) as IntentRow[];
        return rows.map((r) => this.record(r));
    }

    /** Intents per state, every state named (0 when it has none). */
    counts(): Record<OutboxState, number> {
        const counts: Record<OutboxState, number> = { queued: 0, sent: 0, confirmed: 0, failed: 0 };
        const rows = this.db.prepare('SELECT state, COUNT(*) AS n FROM outbox_intents WHERE wallet = ? GROUP BY state').all(this.walletKey) as {
            state: OutboxState;
            n: number;
        }[];
        for (const r of rows) counts[r.state] = r.n;
        return counts;
    }

    /** Counts, the `limit` newest intents, and the `limit` newest of those whose intent starts with a `settlements` prefix. */
    summary(limit: number, settlements: string[]): OutboxSummary {
        return {
            counts: this.counts(),
            pending: this.pending,
            recent: this.list({ limit, newestFirst: true }).map(outboxItem),
            settlements: settlements.length > 0 ? this.list({ limit, newestFirst: true, intentPrefixes: settlements }).map(outboxItem) : [],
        };
    }

    /** Resolves once the record is failed, or confirmed with its outcome known. */
    wait(id: number, timeoutMs?: number): Promise<OutboxRecord> {
        return new Promise((resolve, reject) => {
            const now = this.get(id);
            if (!now) return reject(new OutboxError(`no outbox record ${id} for wallet ${this.wallet.address.toString()}`));
            if (settled(now)) return resolve(now);
            let timer: NodeJS.Timeout | undefined;
            const off = this.onSettled((r) => {
                if (r.id !== id) return;
                off();
                clearTimeout(timer);
                resolve(r);
            });
            if (timeoutMs !== undefined) {
                timer = setTimeout(() => {
                    off();
                    reject(new OutboxError(`outbox record ${id} (${now.intent}) not settled after ${timeoutMs} ms: ${this.get(id)?.state}`));
                }, timeoutMs);
            }
        });
    }

    /** Called once per record when it fails, or is confirmed and its outcome is known. */
    onSettled(listener: (r: OutboxRecord) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    /** Resumes whatever the database holds for this wallet, then keeps sending. */
    start(): void {
        if (!this.stopped) return;
        this.stopped = false;
        this.lastSentAt = 0;
        this.retryAt = 0;
        const awaiting = this.db
            .prepare(`SELECT id FROM outbox_intents WHERE wallet = ? AND state = 'confirmed' AND outcome IS NULL`)
            .all(this.walletKey) as { id: number }[];
        for (const { id } of awaiting) this.lookup(id);
        this.schedule(0);
    }

    /** Stops sending and looking; what is in flight stays in the database for the next start. */
    async stop(): Promise<void> {
        this.stopped = true;
        clearTimeout(this.timer);
        this.timer = undefined;
        await this.running;
        await Promise.all(this.lookups.values());
    }

    /** Intents not settled yet. */
    get pending(): number {
        const r = this.db
            .prepare(
                `SELECT COUNT(*) AS n FROM outbox_intents
                 WHERE wallet = ? AND (state IN ('queued', 'sent') OR (state = 'confirmed' AND outcome IS NULL))`,
            )
            .get(this.walletKey) as { n: number };
        return r.n;
    }

    private schedule(ms: number): void {
        if (this.stopped) return;
        const at = Date.now() + ms;
        if (this.timer) {
            if (this.timerAt <= at) return;
            clearTimeout(this.timer);
        }
        this.timerAt = at;
        this.timer = setTimeout(() => {
            this.timer = undefined;
            this.run();
        }, ms);
    }

    private run(): void {
        if (this.stopped) return;
        if (this.running) {
            // an enqueue during a step: look again when it ends, as the step may have found nothing to do
            this.wakeAgain = true;
            return;
        }
        this.running = (async () => {
            let next: number | null;
            try {
                next = await this.step();
            } catch (e) {
                this.opts.log(`outbox: ${this.name}: ${(e as Error).message}`);
                next = this.opts.pollMs;
            }
            this.running = null;
            if (this.wakeAgain) {
                this.wakeAgain = false;
                next = 0;
            }
            if (next !== null) this.schedule(next);
        })();
    }

    /** One move of the stored batch, or the signing of the next one; returns when to move again (null: nothing to do). */
    private async step(): Promise<number | null> {
        const batch = this.db.prepare('SELECT * FROM outbox_batches WHERE wallet = ? ORDER BY id LIMIT 1').get(this.walletKey) as
            | BatchRow
            | undefined;
        if (batch) return this.check(batch);
        const queued = this.db
            .prepare(`SELECT * FROM outbox_intents WHERE wallet = ? AND state = 'queued' AND batch_id IS NULL ORDER BY id LIMIT ?`)
            .all(this.walletKey, this.wallet.maxMessages) as IntentRow[];
        if (queued.length === 0) return null;
        return this.dispatch(queued);
    }

    private async dispatch(rows: IntentRow[]): Promise<number> {
        const signed = await signBatch(this.chain, this.wallet, this.opts.ttlSeconds, rows.map((r) => this.message(r)));
        if (this.stopped) return this.opts.pollMs; // signed but neither stored nor sent: nothing can execute it
        const boc = toBoc(beginCell().store(storeMessage(signed.message)).endCell());
        const batchId = this.db.transaction(() => {
            const id = Number(
                this.db
                    .prepare(
                        `INSERT INTO outbox_batches (wallet, seqno, valid_until, hash_norm, boc, after_lt, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
                    )
                    .run(this.walletKey, signed.seqno, signed.validUntil, signed.hashNorm.toString('hex'), boc, signed.afterLt.toString(), Date.now())
                    .lastInsertRowid,
            );
            const mark = this.db.prepare(
                `UPDATE outbox_intents SET state = 'sent', batch_id = ?, batch_index = ?, batch_seqno = ?, valid_until = ?, reason = NULL
                 WHERE id = ?`,
            );
            rows.forEach((r, index) => mark.run(id, index, signed.seqno, signed.validUntil, r.id));
            return id;
        })();
        const ids = rows.map((r) => r.id).join(', ');
        this.opts.log(`outbox: wallet ${this.wallet.address.toString()} signed batch at seqno ${signed.seqno} with intents ${ids}`);
        return this.send(this.db.prepare('SELECT * FROM outbox_batches WHERE id = ?').get(batchId) as BatchRow);
    }

    private async check(batch: BatchRow): Promise<number> {
        if (batch.refused && Date.now() < this.retryAt) return this.retryAt - Date.now();
        const seqno = await this.wallet.seqno(this.chain);
        if (seqno > batch.seqno) {
            const hash = Buffer.from(batch.hash_norm, 'hex');
            const { tx, otherExternal } = await findExecution(this.chain, this.wallet.address, BigInt(batch.after_lt), hash);
            if (tx) {
                this.settleBatch(batch, tx);
                return 0;
            }
            // no external at all listed yet: the transaction list lags the account state, look again
            if (!otherExternal) return this.opts.pollMs;
            // another message took the seqno: ours can never execute now, so its intents may be signed again
            this.requeue(batch, `seqno ${batch.seqno} was used by another message`);
            return 0;
        }
        const account = await this.chain.getAccount(this.wallet.address);
        if (account.last && account.last.lt > this.searchedLt) {
            // the wallet moved without advancing its seqno: maybe our external ran and its action phase failed, which
            // rolls the seqno back; resending it would only replay the failure (and its gas) until it expires
            const from = this.searchedLt > BigInt(batch.after_lt) ? this.searchedLt : BigInt(batch.after_lt);
            const { tx } = await findExecution(this.chain, this.wallet.address, from, Buffer.from(batch.hash_norm, 'hex'));
            this.searchedLt = account.last.lt;
            if (tx) {
                this.opts.log(
                    `outbox: ${this.name}: batch at seqno ${batch.seqno} ran in transaction ${tx.lt} but left the seqno; ` +
                        `its external can be replayed until ${batch.valid_until} unless the next batch takes the seqno`,
                );
                this.settleBatch(batch, tx);
                return 0;
            }
        }
        if (account.syncUtime > batch.valid_until) {
            this.requeue(batch, `batch at seqno ${batch.seqno} expired at ${batch.valid_until}`);
            return 0;
        }
        if (batch.refused || Date.now() - this.lastSentAt >= this.opts.resendMs) return this.send(batch);
        return this.opts.pollMs;
    }

    /** Sends the stored external as stored: however often, at most one of its copies can execute. */
    private async send(batch: BatchRow): Promise<number> {
                this.lastSentAt = Date.now();
        try {
            await this.chain.sendMessage(loadMessage(Cell.fromBase64(batch.boc).beginParse()));
        } catch (e) {
            if (e instanceof ChainApiError) {
                // refused: the intents wait, queued, and the same message is tried again (or, once it can no
                // longer execute, they are signed anew); nothing is dropped, but the retries slow down
                this.refusals++;
                const delay = Math.min(MAX_REFUSAL_BACKOFF_MS, this.opts.pollMs * 2 ** (this.refusals - 1));
                this.retryAt = Date.now() + delay;
                const short = await this.shortOfTon(batch);
                const reason = short ?? `wallet refused batch at seqno ${batch.seqno}: ${e.apiMessage}`;
                this.markBatch(batch.id, true, reason);
                if (short) this.opts.alert(`ACTION REQUIRED: ${short}`);
                else this.opts.log(`outbox: ${this.name} refused batch at seqno ${batch.seqno}: ${e.apiMessage}; will retry`);
                return delay;
            }
            // no answer: the message may have reached the chain, so the batch stays sent and is checked as usual
            this.opts.log(`outbox: ${this.name}: sending batch at seqno ${batch.seqno} got no answer (${(e as Error).message}); checking the chain`);
            if (batch.refused) this.markBatch(batch.id, false, null);
            return this.opts.pollMs;
        }
        this.refusals = 0;
        if (batch.refused) this.markBatch(batch.id, false, null);
        return this.opts.pollMs;
    }

    /** Why a refused batch cannot go: the wallet holds too little for its floor and the values sent (null when it does). */
    private async shortOfTon(batch: BatchRow): Promise<string | null> {
        let balance: bigint;
        try {
            balance = (await this.chain.getAccount(this.wallet.address)).balance;
        } catch {
            return null; // the chain did not answer: the refusal's own message says what is known
        }
        const rows = this.db.prepare('SELECT value FROM outbox_intents WHERE batch_id = ?').all(batch.id) as { value: string }[];
        const values = rows.reduce((sum, r) => sum + BigInt(r.value), 0n);
        const floor = this.wallet.minBalance ?? 0n;
        if (balance >= floor + values) return null;
        return (
            `wallet ${this.wallet.address.toString()} is short of TON: it holds ${fromNano(balance)} TON, and batch at seqno ${batch.seqno} ` +
            `needs more than ${fromNano(floor + values)} TON (${fromNano(values)} sent, ${fromNano(floor)} kept) plus fees; fund it: its ` +
            `${rows.length} messages wait and are sent once it is`
        );
    }

    private markBatch(batchId: number, refused: boolean, reason: string | null): void {
        this.db.transaction(() => {
            this.db.prepare('UPDATE outbox_batches SET refused = ? WHERE id = ?').run(refused ? 1 : 0, batchId);
            this.db.prepare('UPDATE outbox_intents SET state = ?, reason = ? WHERE batch_id = ?').run(refused ? 'queued' : 'sent', reason, batchId);
        })();
    }

    private requeue(batch: BatchRow, why: string): void {
        const n = this.db.transaction(() => {
            const changes = this.db
                .prepare(
                    `UPDATE outbox_intents
                     SET state = 'queued', batch_id = NULL, batch_index = NULL, batch_seqno = NULL, valid_until = NULL, reason = ?
                     WHERE batch_id = ?`,
                )
                .run(why, batch.id).changes;
            this.db.prepare('DELETE FROM outbox_batches WHERE id = ?').run(batch.id);
            return changes;
        })();
        this.opts.log(`outbox: ${this.name}: ${why}; re-queueing ${n} intents`);
    }

    private settleBatch(batch: BatchRow, tx: Transaction): void {
        const rows = this.db.prepare('SELECT * FROM outbox_intents WHERE batch_id = ? ORDER BY batch_index').all(batch.id) as IntentRow[];
        const lt = tx.lt.toString();
        const hash = tx.hash().toString('hex');
        const confirmed: number[] = [];
        const failed: number[] = [];
        this.db.transaction(() => {
            for (const r of rows) {
                const sent = sentMessage(tx, r.batch_index!);
                if (sent) {
                    this.db
                        .prepare(
                            `UPDATE outbox_intents SET state = 'confirmed', batch_id = NULL, wallet_tx_lt = ?, wallet_tx_hash = ?, out_lt = ?, reason = NULL
                             WHERE id = ?`,
                        )
                        .run(lt, hash, sent.createdLt.toString(), r.id);
                    confirmed.push(r.id);
                } else {
                    const reason = `wallet transaction ${lt} sent no message ${r.batch_index} (${describeOutcome(transactionOutcome(tx))})`;
                    this.db
                        .prepare(
                            `UPDATE outbox_intents SET state = 'failed', batch_id = NULL, wallet_tx_lt = ?, wallet_tx_hash = ?, reason = ?
                             WHERE id = ?`,
                        )
                        .run(lt, hash, reason, r.id);
                    failed.push(r.id);
                }
            }
            this.db.prepare('DELETE FROM outbox_batches WHERE id = ?').run(batch.id);
        })();
        this.opts.log(`outbox: ${this.name}: batch at seqno ${batch.seqno} executed in transaction ${lt}`);
        for (const id of failed) this.emit(id);
        for (const id of confirmed) this.lookup(id);
    }

    /** Looks for the destination transaction of a confirmed intent and records its outcome. */
    private lookup(id: number): void {
        if (this.lookups.has(id) || this.stopped) return;
        const task = (async () => {
            const row = this.row(id)!;
            const sent = { dest: Address.parse(row.dest), createdLt: BigInt(row.out_lt!) };
            const wait = { timeoutMs: this.opts.destinationTimeoutMs, pollMs: this.opts.pollMs, cancelled: () => this.stopped };
            const dest = await awaitResultTx(this.chain, this.wallet.address, sent, wait);
            if (!dest) {
                if (this.stopped) return; // looked for again on the next start
                this.db.prepare(`UPDATE outbox_intents SET outcome = 'unconfirmed' WHERE id = ?`).run(id);
            } else {
                const o = transactionOutcome(dest);
                this.db
                    .prepare(`UPDATE outbox_intents SET dest_lt = ?, dest_hash = ?, dest_exit_code = ?, dest_success = ?, outcome = ? WHERE id = ?`)
                    .run(dest.lt.toString(), dest.hash().toString('hex'), o.exitCode, o.success ? 1 : 0, deliveryStatus(o, row.bounce === 1), id);
            }
            this.emit(id);
        })();
        this.lookups.set(id, task);
        task.then(
            () => this.lookups.delete(id),
            (e) => {
                // the chain did not answer: no verdict yet, so look again (from a fresh deadline)
                this.lookups.delete(id);
                this.opts.log(`outbox: ${this.name}: destination of intent ${id}: ${(e as Error).message}`);
                setTimeout(() => this.lookup(id), this.opts.pollMs);
            },
        );
    }

    private emit(id: number): void {
        const r = this.get(id)!;
        for (const l of [...this.listeners]) {
            try {
                l(r);
            } catch (e) {
                this.opts.log(`outbox: settled listener failed on intent ${r.intent}: ${(e as Error).message}`);
            }
        }
    }

    /** "wallet <address>", for log lines. */
    private get name(): string {
        return `wallet ${this.wallet.address.toString()}`;
    }

    private row(id: number): IntentRow | undefined {
        return this.db.prepare('SELECT * FROM outbox_intents WHERE wallet = ? AND id = ?').get(this.walletKey, id) as IntentRow | undefined;
    }

    private message(r: IntentRow): OutgoingMessage {
        return {
            to: Address.parse(r.dest),
            value: BigInt(r.value),
            body: r.body ? Cell.fromBase64(r.body) : undefined,
            init: r.init ? loadStateInit(Cell.fromBase64(r.init).beginParse()) : undefined,
            bounce: r.bounce === 1,
        };
    }

    private record(r: IntentRow): OutboxRecord {
        return {
            id: r.id,
            intent: r.intent,
            to: Address.parse(r.dest),
            value: BigInt(r.value),
            state: r.state,
            createdAt: r.created_at,
            batchSeqno: r.batch_seqno,
            validUntil: r.valid_until,
            walletTx: r.wallet_tx_lt ? { lt: BigInt(r.wallet_tx_lt), hash: r.wallet_tx_hash! } : null,
            destination: r.dest_lt
                ? { lt: BigInt(r.dest_lt), hash: r.dest_hash!, exitCode: r.dest_exit_code, success: r.dest_success === 1 }
                : null,
            outcome: r.outcome,
            reason: r.reason,
        };
    }
}
