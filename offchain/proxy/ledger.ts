import { Address } from '@ton/core';
import { randomU64, type Receipt } from '../protocol';
import { inTransaction, openDatabase, type Db } from '../runtime';
import { signEnvelope } from '../../wrappers/signing';
import { Account, ClientAccount, Counters, WorkerAccount } from './accounts';

/** Append-only (offchain/runtime openDatabase): never edit a shipped migration. */
const MIGRATIONS = [
    `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE save_states (
        seqno INTEGER PRIMARY KEY,
        session_hash TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed')),
        created_at INTEGER NOT NULL
     );
     CREATE TABLE clients (
        contract TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        tokens TEXT NOT NULL,
        committed_chain TEXT NOT NULL,
        state INTEGER,
        balance TEXT,
        stake TEXT,
        tokens_used TEXT,
        secret_hash TEXT,
        signed_tokens TEXT,
        signed_boc TEXT
     );
     CREATE TABLE workers (
        contract TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        model TEXT NOT NULL,
        tokens TEXT NOT NULL,
        committed_chain TEXT NOT NULL,
        paid_on_chain TEXT NOT NULL,
        signed_tokens TEXT,
        signed_boc TEXT
     );
     CREATE TABLE history (
        kind TEXT NOT NULL,
        contract TEXT NOT NULL,
        seqno INTEGER NOT NULL,
        tokens TEXT NOT NULL,
        PRIMARY KEY (kind, contract, seqno)
     );`,
    `CREATE TABLE retirements (
        contract TEXT PRIMARY KEY,
        accounts TEXT NOT NULL,
        phase TEXT NOT NULL,
        updated_at INTEGER NOT NULL
     );`,
    `CREATE TABLE late_receipts (
        client TEXT NOT NULL,
        request_id TEXT NOT NULL,
        receipt TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (client, request_id)
     );`,
];

interface ClientRow {
    contract: string;
    owner: string;
    tokens: string;
    committed_chain: string;
    state: number | null;
    balance: string | null;
    stake: string | null;
    tokens_used: string | null;
    secret_hash: string | null;
    signed_tokens: string | null;
    signed_boc: string | null;
}

interface WorkerRow {
    contract: string;
    owner: string;
    model: string;
    tokens: string;
    committed_chain: string;
    paid_on_chain: string;
    signed_tokens: string | null;
    signed_boc: string | null;
}

/** A proxy contract of an older params generation being closed, with what its clients and workers are owed. */
export interface Retirement {
    contract: string;
    /** Final counts: a client's grant-refund and a worker's last payout sign exactly these tokens. */
    accounts: { kind: 'client' | 'worker'; contract: string; tokens: string }[];
    phase: RetirementPhase;
}

/** close request → grant-refunds and last payouts → close-complete after the unlock → done. */
export type RetirementPhase = 'close' | 'settle' | 'complete' | 'done';

export interface SaveStateRow {
    seqno: number;
    sessionHash: bigint;
    status: 'pending' | 'confirmed' | 'failed';
}

/** Signs charges and payouts: the proxy payment key, and where the contracts send the excess. */
export interface PaymentSigner {
    secretKey: Buffer;
    excessesTo: Address;
}

/**
 * The proxy's ledger: every client and worker account in RAM, persisted to SQLite by `commit()` in one transaction
 * (counters as decimal text, they exceed 2^53). On open, accounted tokens restart from the committed ones (what was
 * only in RAM is lost with the process, as in COCOON) and the history of commits not yet confirmed on-chain is
 * loaded back, so a save-state record seen later still promotes them.
 */
export class Ledger {
    readonly clients = new Map<string, ClientAccount>();
    readonly workers = new Map<string, WorkerAccount>();
    private seqnoValue: number;
    /** History rows at or below this seqno are dropped at the next commit (their values are promoted). */
    private confirmedUpTo = 0;
    private watcherLtValue: bigint;

    private constructor(
        readonly db: Db,
        private readonly signer: PaymentSigner,
    ) {
        this.seqnoValue = Number(this.meta('seqno') ?? '0');
        this.watcherLtValue = BigInt(this.meta('watcher_lt') ?? '0');
        this.load();
    }

    static open(file: string, signer: PaymentSigner): Ledger {
        return new Ledger(openDatabase(file, MIGRATIONS), signer);
    }

    /** Some account counted tokens that no save-state on-chain vouches for yet. */
    get unsaved(): boolean {
        for (const accounts of [this.clients, this.workers]) {
            for (const a of accounts.values()) if (a.counters.tokensMax !== a.counters.committedChain) return true;
        }
        return false;
    }

    get seqno(): number {
        return this.seqnoValue;
    }

    /** lt of the last contract transaction whose effects the database holds. */
    get watcherLt(): bigint {
        return this.watcherLtValue;
    }

    meta(key: string): string | undefined {
        return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
    }

    setMeta(key: string, value: string): void {
        this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    }

    client(contract: Address, owner: Address): ClientAccount {
        const key = contract.toRawString();
        let a = this.clients.get(key);
        if (!a) {
            a = { kind: 'client', key, contract, owner, counters: new Counters(0n, 0n, 0n), reserved: 0n, snapshot: null, signed: null, dirty: true };
            this.clients.set(key, a);
        }
        return a;
    }

    worker(contract: Address, owner: Address, model: string): WorkerAccount {
        const key = contract.toRawString();
        let a = this.workers.get(key);
        if (!a) {
            a = { kind: 'worker', key, contract, owner, model, counters: new Counters(0n, 0n, 0n), paidOnChain: 0n, signed: null, dirty: true };
            this.workers.set(key, a);
        } else if (a.model !== model) {
            a.model = model;
            a.dirty = true;
        }
        return a;
    }

    /**
     * One commit: seqno + 1, every changed account written, history remembered, and (when `saveState` is given) a
     * pending save-state record for this seqno, whose message `saveState` enqueues in the same transaction (the
     * outbox shares the database), so the record is never on-chain without the state it vouches for.
     * Returns the seqno, or null when there was nothing to write.
     */
    commit(opts: { watcherLt: bigint; sessionHash?: bigint; saveState?: (seqno: number) => void; force?: boolean }): number | null {
        const accounts: Account[] = [...this.clients.values(), ...this.workers.values()];
        const changed = accounts.some((a) => a.dirty || a.counters.tokensMax !== a.counters.committedDb);
        if (!changed && !opts.saveState && !opts.force && opts.watcherLt === this.watcherLtValue && this.confirmedUpTo === 0) return null;
        const seqno = this.seqnoValue + 1;
        inTransaction(this.db, () => {
            const history = this.db.prepare('INSERT OR REPLACE INTO history (kind, contract, seqno, tokens) VALUES (?, ?, ?, ?)');
            for (const a of accounts) {
                if (a.counters.commit(seqno)) {
                    history.run(a.kind, a.key, seqno, a.counters.committedDb.toString());
                    a.dirty = true;
                }
                if (a.dirty) (a.kind === 'client' ? this.writeClient(a) : this.writeWorker(a));
            }
            if (this.confirmedUpTo > 0) this.db.prepare('DELETE FROM history WHERE seqno <= ?').run(this.confirmedUpTo);
            this.setMeta('seqno', String(seqno));
            this.setMeta('watcher_lt', opts.watcherLt.toString());
            if (opts.saveState) {
                this.db
                    .prepare(`INSERT INTO save_states (seqno, session_hash, status, created_at) VALUES (?, ?, 'pending', ?)`)
                    .run(seqno, opts.sessionHash!.toString(16), Date.now());
                opts.saveState(seqno);
            }
        });
        for (const a of accounts) a.dirty = false;
        this.confirmedUpTo = 0;
        this.seqnoValue = seqno;
        this.watcherLtValue = opts.watcherLt;
        return seqno;
    }

    /** The save-state record this database wrote for `seqno`, if any. */
    saveState(seqno: number): SaveStateRow | undefined {
        const r = this.db.prepare('SELECT seqno, session_hash, status FROM save_states WHERE seqno = ?').get(seqno) as
            | { seqno: number; session_hash: string; status: SaveStateRow['status'] }
            | undefined;
        return r && { seqno: r.seqno, sessionHash: BigInt('0x' + r.session_hash), status: r.status };
    }

    markSaveState(seqno: number, status: SaveStateRow['status']): void {
        this.db.prepare('UPDATE save_states SET status = ? WHERE seqno = ?').run(status, seqno);
    }

    /** A save-state record for `seqno` is on-chain: promotes every account; the next commit persists it. */
    confirm(seqno: number): Account[] {
        const promoted: Account[] = [];
        for (const a of [...this.clients.values(), ...this.workers.values()]) {
            if (a.counters.confirm(seqno)) {
                a.dirty = true;
                promoted.push(a);
            }
        }
        this.confirmedUpTo = Math.max(this.confirmedUpTo, seqno);
        return promoted;
    }

    /**
     * The signed charge (client) or payout (worker) for the account's on-chain committed count, when it exceeds what
     * the contract already has; signed once per count (random query_id) and kept in the database.
     */
    signedPayment(a: Account): string | null {
        const tokens = a.counters.committedChain;
        const onChain = a.kind === 'client' ? (a.snapshot?.tokensUsed ?? 0n) : a.paidOnChain;
        if (tokens === 0n || tokens <= onChain) return null;
        if (a.signed?.tokens !== tokens) {
            const kind = a.kind === 'client' ? 'charge' : 'payout';
            const payload = { kind, queryId: randomU64(), newTokens: tokens, expectedMyAddress: a.contract } as const;
            const cell = signEnvelope(payload, this.signer.secretKey, this.signer.excessesTo);
            a.signed = { tokens, boc: cell.toBoc().toString('base64') };
            a.dirty = true;
        }
        return a.signed.boc;
    }

    /**
     * What retiring this database's contract takes: every client not closed yet and every worker with its committed
     * count, plus the retirements of older generations this database was still working on.
     */
    handover(contract: string): Retirement[] {
        const accounts: Retirement['accounts'] = [
            ...[...this.clients.values()].filter((a) => a.snapshot?.state !== 2).map((a) => ({ kind: 'client' as const, contract: a.key, tokens: a.counters.committedDb.toString() })),
            ...[...this.workers.values()].map((a) => ({ kind: 'worker' as const, contract: a.key, tokens: a.counters.committedDb.toString() })),
        ];
        return [...this.retirements().filter((r) => r.phase !== 'done'), { contract, accounts, phase: 'close' }];
    }

    retirements(): Retirement[] {
        const rows = this.db.prepare('SELECT contract, accounts, phase FROM retirements ORDER BY rowid').all() as { contract: string; accounts: string; phase: RetirementPhase }[];
        return rows.map((r) => ({ contract: r.contract, accounts: JSON.parse(r.accounts) as Retirement['accounts'], phase: r.phase }));
    }

    /** Records a retirement to carry out (idempotent: an existing one keeps its phase). */
    addRetirement(r: Retirement): void {
        this.db
            .prepare('INSERT INTO retirements (contract, accounts, phase, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (contract) DO NOTHING')
            .run(r.contract, JSON.stringify(r.accounts), r.phase, Date.now());
    }

    setRetirementPhase(contract: string, phase: RetirementPhase): void {
        this.db.prepare('UPDATE retirements SET phase = ?, updated_at = ? WHERE contract = ?').run(phase, Date.now(), contract);
    }

    /** A receipt whose answer never reached the client (its connection ended first): kept until it acknowledges it. */
    keepLateReceipt(client: string, receipt: Receipt): void {
        this.db
            .prepare('INSERT OR IGNORE INTO late_receipts (client, request_id, receipt, created_at) VALUES (?, ?, ?, ?)')
            .run(client, receipt.requestId, JSON.stringify(receipt), Date.now());
    }

    lateReceipts(client: string): Receipt[] {
        const rows = this.db.prepare('SELECT receipt FROM late_receipts WHERE client = ? ORDER BY created_at').all(client) as { receipt: string }[];
        return rows.map((r) => JSON.parse(r.receipt) as Receipt);
    }

    dropLateReceipt(client: string, requestId: string): void {
        this.db.prepare('DELETE FROM late_receipts WHERE client = ? AND request_id = ?').run(client, requestId);
    }

    close(): void {
        this.db.close();
    }

    private load(): void {
        const history = this.db.prepare('SELECT kind, contract, seqno, tokens FROM history ORDER BY seqno').all() as {
            kind: string;
            contract: string;
            seqno: number;
            tokens: string;
        }[];
        // by account first: a scan of every row per account would be quadratic with thousands of workers
        const byAccount = new Map<string, { seqno: number; tokens: bigint }[]>();
        for (const h of history) {
            const key = `${h.kind} ${h.contract}`;
            let rows = byAccount.get(key);
            if (!rows) byAccount.set(key, (rows = []));
            rows.push({ seqno: h.seqno, tokens: BigInt(h.tokens) });
        }
        const historyOf = (kind: string, contract: string, c: Counters) => c.history.push(...(byAccount.get(`${kind} ${contract}`) ?? []));
        const signed = (tokens: string | null, boc: string | null) => (tokens && boc ? { tokens: BigInt(tokens), boc } : null);
        for (const r of this.db.prepare('SELECT * FROM clients').all() as ClientRow[]) {
            const tokens = BigInt(r.tokens);
            const counters = new Counters(tokens, tokens, BigInt(r.committed_chain));
            historyOf('client', r.contract, counters);
            const snapshot =
                r.state === null
                    ? null
                    : {
                          state: r.state,
                          balance: BigInt(r.balance!),
                          stake: BigInt(r.stake!),
                          tokensUsed: BigInt(r.tokens_used!),
                          secretHash: BigInt('0x' + r.secret_hash!),
                      };
            this.clients.set(r.contract, {
                kind: 'client',
                key: r.contract,
                contract: Address.parse(r.contract),
                owner: Address.parse(r.owner),
                counters,
                reserved: 0n,
                snapshot,
                signed: signed(r.signed_tokens, r.signed_boc),
                dirty: false,
            });
        }
        for (const r of this.db.prepare('SELECT * FROM workers').all() as WorkerRow[]) {
            const tokens = BigInt(r.tokens);
            const counters = new Counters(tokens, tokens, BigInt(r.committed_chain));
            historyOf('worker', r.contract, counters);
            this.workers.set(r.contract, {
                kind: 'worker',
                key: r.contract,
                contract: Address.parse(r.contract),
                owner: Address.parse(r.owner),
                model: r.model,
                counters,
                paidOnChain: BigInt(r.paid_on_chain),
                signed: signed(r.signed_tokens, r.signed_boc),
                dirty: false,
            });
        }
    }

    private writeClient(a: ClientAccount): void {
        const s = a.snapshot;
        this.db
            .prepare(
                `INSERT OR REPLACE INTO clients
                 (contract, owner, tokens, committed_chain, state, balance, stake, tokens_used, secret_hash, signed_tokens, signed_boc)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
                a.key,
                a.owner.toRawString(),
                a.counters.committedDb.toString(),
                a.counters.committedChain.toString(),
                s ? s.state : null,
                s ? s.balance.toString() : null,
                s ? s.stake.toString() : null,
                s ? s.tokensUsed.toString() : null,
                s ? s.secretHash.toString(16) : null,
                a.signed ? a.signed.tokens.toString() : null,
                a.signed ? a.signed.boc : null,
            );
    }

    private writeWorker(a: WorkerAccount): void {
        this.db
            .prepare(
                `INSERT OR REPLACE INTO workers (contract, owner, model, tokens, committed_chain, paid_on_chain, signed_tokens, signed_boc)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
                a.key,
                a.owner.toRawString(),
                a.model,
                a.counters.committedDb.toString(),
                a.counters.committedChain.toString(),
                a.paidOnChain.toString(),
                a.signed ? a.signed.tokens.toString() : null,
                a.signed ? a.signed.boc : null,
            );
    }
}
