import type { Receipt } from '../protocol';
import { openDatabase, withoutFlush, type Db } from '../runtime';

/** Append-only (runtime's openDatabase): never edit a migration that has shipped. */
const MIGRATIONS = [
    `CREATE TABLE receipts (
        request_id TEXT PRIMARY KEY,
        proxy_contract TEXT NOT NULL,
        client_contract TEXT NOT NULL,
        path TEXT NOT NULL,
        model TEXT NOT NULL,
        tokens_total INTEGER NOT NULL,
        cost TEXT NOT NULL,
        client_total TEXT NOT NULL,
        at INTEGER NOT NULL,
        receipt TEXT NOT NULL
    );
    CREATE INDEX receipts_by_contract ON receipts (client_contract, at);
    CREATE TABLE charges (
        client_contract TEXT PRIMARY KEY,
        tokens TEXT NOT NULL,
        boc TEXT NOT NULL,
        received_at INTEGER NOT NULL
    );`,
    `CREATE TABLE proxy_samples (
        endpoint TEXT NOT NULL,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        outcome TEXT NOT NULL,
        ms INTEGER
    );
    CREATE INDEX proxy_samples_by_endpoint ON proxy_samples (endpoint, at);`,
    `CREATE TABLE attachments (
        client_contract TEXT PRIMARY KEY,
        proxy_contract TEXT NOT NULL,
        last_connected INTEGER NOT NULL
    );`,
    `CREATE TABLE pending (
        request_id TEXT PRIMARY KEY,
        client_contract TEXT NOT NULL,
        path TEXT NOT NULL,
        model TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        at INTEGER NOT NULL
    );`,
];

export interface StoredReceipt {
    requestId: string;
    path: string;
    model: string;
    receipt: Receipt;
}

/** A request sent and not yet answered with a receipt or a free failure: a receipt that comes later is checked against it. */
export interface PendingRequest {
    requestId: string;
    clientContract: string;
    path: string;
    model: string;
    requestHash: string;
}

export interface StoredCharge {
    tokens: bigint;
    /** The signed envelope as the proxy sent it (BoC, base64). */
    boc: string;
}

/** The client's SQLite database: verified receipts and the best signed charge per client contract (plus the outbox's tables). */
export class ClientStore {
    readonly db: Db;

    constructor(file: string) {
        this.db = openDatabase(file, MIGRATIONS);
    }

    /** Stores a verified receipt; its request is no longer pending. */
    addReceipt(r: StoredReceipt): void {
        withoutFlush(this.db, () => {
            this.insertReceipt(r);
            this.dropPending(r.requestId);
        });
    }

    addPending(p: PendingRequest): void {
        withoutFlush(this.db, () =>
            this.db
                .prepare('INSERT OR REPLACE INTO pending (request_id, client_contract, path, model, request_hash, at) VALUES (?, ?, ?, ?, ?, ?)')
                .run(p.requestId, p.clientContract, p.path, p.model, p.requestHash, Date.now()),
        );
    }

    pending(requestId: string): PendingRequest | undefined {
        const row = this.db.prepare('SELECT * FROM pending WHERE request_id = ?').get(requestId) as
            | { request_id: string; client_contract: string; path: string; model: string; request_hash: string }
            | undefined;
        return row && { requestId: row.request_id, clientContract: row.client_contract, path: row.path, model: row.model, requestHash: row.request_hash };
    }

    dropPending(requestId: string): void {
        withoutFlush(this.db, () => this.db.prepare('DELETE FROM pending WHERE request_id = ?').run(requestId));
    }

    private insertReceipt(r: StoredReceipt): void {
        this.db
            .prepare(
                `INSERT OR REPLACE INTO receipts (request_id, proxy_contract, client_contract, path, model, tokens_total, cost, client_total, at, receipt)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
                r.requestId,
                r.receipt.proxyContract,
                r.receipt.clientContract,
                r.path,
                r.model,
                r.receipt.tokens.total,
                r.receipt.cost,
                r.receipt.clientTotal,
                r.receipt.at,
                JSON.stringify(r.receipt),
            );
    }

    /** In the order they were stored; `limit` keeps the newest. */
    receipts(filter: { requestId?: string; limit?: number } = {}): Receipt[] {
        const rows = (
            filter.requestId !== undefined
                ? this.db.prepare('SELECT * FROM receipts WHERE request_id = ?').all(filter.requestId)
                : this.db.prepare('SELECT * FROM (SELECT rowid AS n, * FROM receipts ORDER BY rowid DESC LIMIT ?) ORDER BY n').all(filter.limit ?? -1)
        ) as { receipt: string }[];
        return rows.map((r) => JSON.parse(r.receipt) as Receipt);
    }

    bestCharge(clientContract: string): StoredCharge | undefined {
        const row = this.db.prepare('SELECT tokens, boc FROM charges WHERE client_contract = ?').get(clientContract) as
            | { tokens: string; boc: string }
            | undefined;
        return row && { tokens: BigInt(row.tokens), boc: row.boc };
    }

    /** Keeps `charge` only if it counts more tokens than the one stored (compared as bigints: counts exceed 2^53). */
    offerCharge(clientContract: string, charge: StoredCharge): boolean {
        const best = this.bestCharge(clientContract);
        if (best && best.tokens >= charge.tokens) return false;
        withoutFlush(this.db, () =>
            this.db
                .prepare('INSERT OR REPLACE INTO charges (client_contract, tokens, boc, received_at) VALUES (?, ?, ?, ?)')
                .run(clientContract, charge.tokens.toString(), charge.boc, Date.now()),
        );
        return true;
    }

    /** Notes that a session to `proxyContract` (with this client contract) is up now. */
    attached(clientContract: string, proxyContract: string, at: number): void {
        this.db
            .prepare('INSERT INTO attachments (client_contract, proxy_contract, last_connected) VALUES (?, ?, ?) ON CONFLICT (client_contract) DO UPDATE SET last_connected = excluded.last_connected')
            .run(clientContract, proxyContract, at);
    }

    /** Every client contract this client ever used, with its proxy contract and when a session to it was last up. */
    attachments(): { clientContract: string; proxyContract: string; lastConnected: number }[] {
        return (this.db.prepare('SELECT client_contract, proxy_contract, last_connected FROM attachments ORDER BY rowid').all() as {
            client_contract: string;
            proxy_contract: string;
            last_connected: number;
        }[]).map((r) => ({ clientContract: r.client_contract, proxyContract: r.proxy_contract, lastConnected: r.last_connected }));
    }

    close(): void {
        this.db.close();
    }
}
