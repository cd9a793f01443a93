import { statSync } from 'fs';
import path from 'path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** The database cannot be opened or brought to the current schema. */
export class DatabaseError extends Error {
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = new.target.name;
    }
}

/**
 * Opens (creating if needed) a SQLite database and applies the migrations it has not seen yet, each in its own
 * transaction; PRAGMA user_version counts those applied. Migrations are append-only: never edit or reorder one
 * that has shipped, and do not BEGIN/COMMIT inside one. The parent folder must exist: creating it would hide a
 * mistyped path.
 */
export function openDatabase(file: string, migrations: string[]): Db {
    if (file !== ':memory:') {
        const dir = path.dirname(path.resolve(file));
        if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
            throw new DatabaseError(`database ${file}: folder ${dir} does not exist`);
        }
    }
    const db = new Database(file);
    try {
        // busy_timeout first, so the switch to WAL waits for another connection's lock instead of failing.
        db.pragma('busy_timeout = 5000');
        const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
        if (file !== ':memory:' && mode !== 'wal') throw new DatabaseError(`database ${file}: cannot use WAL (journal mode is ${mode})`);
        db.pragma('synchronous = FULL');
        db.pragma('foreign_keys = ON');
        migrate(db, file, migrations);
        keepStatements(db);
        return db;
    } catch (e) {
        db.close();
        throw e;
    }
}

function migrate(db: Db, file: string, migrations: string[]): void {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > migrations.length) {
        throw new DatabaseError(`database ${file}: schema version ${version} is newer than this program (${migrations.length} migrations)`);
    }
    for (let i = version; i < migrations.length; i++) {
        try {
            db.transaction(() => {
                db.exec(migrations[i]);
                db.pragma(`user_version = ${i + 1}`);
            }).immediate();
        } catch (e) {
            throw new DatabaseError(`database ${file}: migration ${i} failed: ${messageOf(e)}`, { cause: e });
        }
    }
}

/**
 * Makes `db.prepare` return one statement per SQL text for the database's life: preparing costs several times
 * what running does, and the services run the same few statements on every request. (No code here changes a
 * statement's state with pluck/raw/bind, which a shared statement would carry over.)
 */
function keepStatements(db: Db): void {
    const prepare = db.prepare.bind(db);
    const kept = new Map<string, Database.Statement>();
    db.prepare = ((sql: string) => {
        let statement = kept.get(sql);
        if (!statement) kept.set(sql, (statement = prepare(sql)));
        return statement;
    }) as Db['prepare'];
}

/**
 * Runs `fn` in a transaction whose commit does not wait for the disk (synchronous=NORMAL in WAL mode): it survives
 * a crash of this process at once, a crash of the machine from the next synchronous commit or checkpoint on. For the
 * records of each request that a peer holds too (receipts, signed ledgers, samples), so no request waits for a
 * flush (1.5–2.5 ms here, the event loop blocked meanwhile); anything that moves money keeps FULL.
 */
export function withoutFlush<T>(db: Db, fn: () => T): T {
    // inside a transaction the level cannot change; the outer one decides
    if (db.inTransaction) return fn();
    db.pragma('synchronous = NORMAL');
    try {
        return db.transaction(fn)();
    } finally {
        db.pragma('synchronous = FULL');
    }
}

/** Runs `fn` in an immediate (write-locking) transaction: committed if it returns, rolled back if it throws. */
export function inTransaction<T>(db: Db, fn: () => T): T {
    return db.transaction(fn).immediate();
}

/** An error's message; better-sqlite3's errors may come from another realm (jest, workers), so no instanceof. */
function messageOf(e: unknown): string {
    const m = (e as { message?: unknown } | null)?.message;
    return typeof m === 'string' ? m : String(e);
}
