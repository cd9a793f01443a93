import { Address, Cell, loadTransaction, Transaction } from '@ton/core';
import { snapshotToSerializable } from '@ton/sandbox';
import type { Statement } from 'better-sqlite3';
import { openDatabase, type Db } from '../runtime/database';

/** Marks a SQLite file as a devnet store (PRAGMA application_id, "CDNT"), so another database is never taken for one. */
export const STORE_APPLICATION_ID = 0x43444e54;

/** Append-only (runtime's openDatabase): never edit a migration that has shipped. */
const MIGRATIONS = [
    `PRAGMA application_id = ${STORE_APPLICATION_ID};
    CREATE TABLE chain (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        sandbox TEXT NOT NULL,
        lt TEXT NOT NULL,
        now INTEGER NOT NULL,
        block_seqno INTEGER NOT NULL,
        block_time INTEGER NOT NULL
    );
    CREATE TABLE accounts (
        address TEXT PRIMARY KEY,
        shard_account BLOB NOT NULL,
        last_tx_time INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE transactions (
        id INTEGER PRIMARY KEY,
        address TEXT NOT NULL,
        lt INTEGER NOT NULL,
        hash BLOB NOT NULL,
        block INTEGER NOT NULL,
        boc BLOB NOT NULL
    );
    CREATE UNIQUE INDEX transactions_by_account ON transactions (address, lt);
    CREATE INDEX transactions_by_block ON transactions (block);
    CREATE TABLE message_results (message TEXT PRIMARY KEY, tx INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE message_sources (message TEXT PRIMARY KEY, tx INTEGER NOT NULL) WITHOUT ROWID;`,
];

/** One executed transaction as the devnet keeps it: enough to page, locate and render it. */
export interface TxRecord {
    address: Address;
    /** The devnet block (masterchain seqno) the transaction belongs to. */
    block: number;
    lt: bigint;
    hash: Buffer;
    cell: Cell;
    /** The cell as BoC bytes, as the emulator or the store gave it (so it is never serialised again). */
    boc: Buffer;
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

export type SerializableSnapshot = ReturnType<typeof snapshotToSerializable>;

/** The sandbox's own settings (network config, libraries, random seed…): everything of its snapshot but accounts and time. */
export type SandboxSettings = Omit<SerializableSnapshot, 'contracts' | 'transactions' | 'lt' | 'time'>;

/** An account as the sandbox restores it: its ShardAccount BoC and the time of its last transaction. */
export interface StoredAccount {
    address: Address;
    /** undefined: the account no longer exists (its row is dropped). */
    shardAccount?: Buffer;
    lastTxTime: number;
}

/** Where the chain's counters stand after the last commit. */
export interface ChainClock {
    lt: bigint;
    now: number;
    blockSeqno: number;
    /** Chain time of block `blockSeqno`: a restart counts the blocks of the chain seconds since. */
    blockTime: number;
}

export interface StoredChain {
    snapshot: SerializableSnapshot;
    clock: ChainClock;
}

/** What one executed message chain changed: written in one SQLite transaction, so the store is always a whole chain. */
export interface ChainCommit {
    records: readonly TxRecord[];
    accounts: readonly StoredAccount[];
    clock: ChainClock;
    /** Only with the first commit of a new store. */
    sandbox?: SandboxSettings;
}

interface TxRow {
    address: string;
    block: number;
    boc: Buffer;
}

const MAX_LT = (1n << 63n) - 1n;

/**
 * The devnet's chain in SQLite: accounts written when they change, transactions appended as they execute, and the
 * indexes the API's lookups use (an account's history by lt, a block's transactions, a message's source and result
 * transaction), so no lookup scans and no save rewrites what did not change. `':memory:'` keeps it in memory.
 */
export class DevnetStore {
    private count: number;
    private readonly stmt: Record<
        'insertTx' | 'insertResult' | 'insertSource' | 'upsertAccount' | 'deleteAccount' | 'insertChain' | 'updateClock' | 'page' | 'hashAt' | 'block' | 'result' | 'source' | 'since',
        Statement
    >;
    private readonly commitAll: (c: ChainCommit) => void;

    private constructor(private readonly db: Db) {
        const txColumns = 't.address, t.block, t.boc';
        this.stmt = {
            insertTx: db.prepare('INSERT INTO transactions (address, lt, hash, block, boc) VALUES (?, ?, ?, ?, ?)'),
            insertResult: db.prepare('INSERT OR REPLACE INTO message_results (message, tx) VALUES (?, ?)'),
            insertSource: db.prepare('INSERT OR REPLACE INTO message_sources (message, tx) VALUES (?, ?)'),
            upsertAccount: db.prepare('INSERT OR REPLACE INTO accounts (address, shard_account, last_tx_time) VALUES (?, ?, ?)'),
            deleteAccount: db.prepare('DELETE FROM accounts WHERE address = ?'),
            insertChain: db.prepare('INSERT INTO chain (id, sandbox, lt, now, block_seqno, block_time) VALUES (1, ?, ?, ?, ?, ?)'),
            updateClock: db.prepare('UPDATE chain SET lt = ?, now = ?, block_seqno = ?, block_time = ? WHERE id = 1'),
            page: db.prepare(`SELECT ${txColumns} FROM transactions t WHERE t.address = ? AND t.lt <= ? AND t.lt > ? ORDER BY t.lt DESC LIMIT ?`),
            hashAt: db.prepare('SELECT hash FROM transactions WHERE address = ? AND lt = ?'),
            block: db.prepare(`SELECT ${txColumns} FROM transactions t WHERE t.block = ? ORDER BY t.id`),
            result: db.prepare(`SELECT ${txColumns} FROM message_results m JOIN transactions t ON t.id = m.tx WHERE m.message = ?`),
            source: db.prepare(`SELECT ${txColumns} FROM message_sources m JOIN transactions t ON t.id = m.tx WHERE m.message = ?`),
            since: db.prepare(`SELECT ${txColumns} FROM transactions t WHERE t.id > ? AND t.id <= ? ORDER BY t.id`),
        };
        this.count = (db.prepare('SELECT count(*) AS n FROM transactions').get() as { n: number }).n;
        this.commitAll = db.transaction((c: ChainCommit) => this.write(c));
    }

    /**
     * Opens (creating if needed) the store in `file`, or in memory for `':memory:'`. Durability is WAL with
     * synchronous=NORMAL: a crashed process loses nothing committed, a power cut at most the last commits, and the
     * file always opens to a whole chain.
     */
    static open(file: string): DevnetStore {
        const db = openDatabase(file, MIGRATIONS);
        db.pragma('synchronous = NORMAL');
        return new DevnetStore(db);
    }

    /** Holds the file's lock until `close()`: a second devnet on the same file is refused instead of mixing its chain in. */
    lockExclusively(): void {
        this.db.pragma('locking_mode = EXCLUSIVE');
        this.db.exec('BEGIN EXCLUSIVE; COMMIT');
    }

    /** False for a new store, before the first commit. */
    hasChain(): boolean {
        return this.db.prepare('SELECT 1 FROM chain WHERE id = 1').get() !== undefined;
    }

    /** The saved chain, or undefined for a new store. */
    load(): StoredChain | undefined {
        const row = this.db.prepare('SELECT sandbox, lt, now, block_seqno, block_time FROM chain WHERE id = 1').get() as
            | { sandbox: string; lt: string; now: number; block_seqno: number; block_time: number }
            | undefined;
        if (!row) return undefined;
        const accounts = this.db.prepare('SELECT address, shard_account, last_tx_time FROM accounts').all() as { address: string; shard_account: Buffer; last_tx_time: number }[];
        const snapshot: SerializableSnapshot = {
            ...(JSON.parse(row.sandbox) as SandboxSettings),
            contracts: accounts.map((a) => ({ address: a.address, account: a.shard_account.toString('base64'), lastTxTime: a.last_tx_time })),
            lt: row.lt,
            time: row.now,
            transactions: [],
        };
        return { snapshot, clock: { lt: BigInt(row.lt), now: row.now, blockSeqno: row.block_seqno, blockTime: row.block_time } };
    }

    commit(c: ChainCommit): void {
        this.commitAll(c);
        this.count += c.records.length;
    }

    /** Records where the clock and the block counter stand (at exit: a restart goes on from there). */
    saveClock(clock: ChainClock): void {
        this.stmt.updateClock.run(clock.lt.toString(), clock.now, clock.blockSeqno, clock.blockTime);
    }

    private write(c: ChainCommit): void {
        if (c.sandbox) this.stmt.insertChain.run(JSON.stringify(c.sandbox), c.clock.lt.toString(), c.clock.now, c.clock.blockSeqno, c.clock.blockTime);
        else this.saveClock(c.clock);
        for (const a of c.accounts) {
            if (a.shardAccount) this.stmt.upsertAccount.run(a.address.toRawString(), a.shardAccount, a.lastTxTime);
            else this.stmt.deleteAccount.run(a.address.toRawString());
        }
        for (const r of c.records) {
            const id = this.stmt.insertTx.run(r.address.toRawString(), r.lt, r.hash, r.block, r.boc).lastInsertRowid;
            const inInfo = r.tx.inMessage?.info;
            if (inInfo?.type === 'internal') this.stmt.insertResult.run(messageKey(inInfo.src, inInfo.dest, inInfo.createdLt), id);
            for (const out of r.tx.outMessages.values()) {
                if (out.info.type === 'internal') this.stmt.insertSource.run(messageKey(out.info.src, out.info.dest, out.info.createdLt), id);
            }
        }
    }

    /** The account's transactions, newest first, paged as toncenter's `getTransactions` does. */
    list(address: Address, q: TxQuery): TxRecord[] {
        const key = address.toRawString();
        if (q.lt !== undefined) {
            const hash = (this.stmt.hashAt.get(key, q.lt) as { hash: Buffer } | undefined)?.hash;
            if (!hash || (q.hash && !hash.equals(q.hash))) throw new TransactionNotFoundError(`transaction lt=${q.lt} not found on ${address.toString()}`);
        }
        return (this.stmt.page.all(key, q.lt ?? MAX_LT, q.toLt ?? -1n, q.limit) as TxRow[]).map(toRecord);
    }

    /** The block's transactions in execution (lt) order. */
    inBlock(block: number): TxRecord[] {
        return (this.stmt.block.all(block) as TxRow[]).map(toRecord);
    }

    /** The transaction on `destination` caused by the message `source` created at `createdLt`. */
    locateResult(source: Address, destination: Address, createdLt: bigint): TxRecord | undefined {
        const row = this.stmt.result.get(messageKey(source, destination, createdLt)) as TxRow | undefined;
        return row && toRecord(row);
    }

    /** The transaction on `source` that created the message to `destination` at `createdLt`. */
    locateSource(source: Address, destination: Address, createdLt: bigint): TxRecord | undefined {
        const row = this.stmt.source.get(messageKey(source, destination, createdLt)) as TxRow | undefined;
        return row && toRecord(row);
    }

    get size(): number {
        return this.count;
    }

    /** Every transaction from the `from`-th (0-based) up to the `to`-th, in execution order (e.g. what a run caused). */
    range(from: number, to = this.count): TxRecord[] {
        return (this.stmt.since.all(from, to) as TxRow[]).map(toRecord);
    }

    close(): void {
        this.db.close();
    }
}

/** A transaction as the devnet keeps it, from its BoC (and its cell and parsed form, when the sandbox has them). */
export function txRecord(address: Address, boc: Buffer, block: number, cell = Cell.fromBoc(boc)[0], tx: Transaction = loadTransaction(cell.beginParse())): TxRecord {
    return { address, block, lt: tx.lt, hash: cell.hash(), cell, boc, tx };
}

function toRecord(row: TxRow): TxRecord {
    return txRecord(Address.parseRaw(row.address), row.boc, row.block);
}

function messageKey(src: Address, dest: Address, createdLt: bigint): string {
    return `${src.toRawString()}>${dest.toRawString()}@${createdLt}`;
}
