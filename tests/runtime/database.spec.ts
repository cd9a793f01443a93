import { mkdtempSync, rmSync } from 'fs';
import os from 'os';
import path from 'path';
import { DatabaseError, inTransaction, openDatabase, withoutFlush } from '../../offchain/runtime';

const migrations = [
    'CREATE TABLE workers (id TEXT PRIMARY KEY, price INTEGER NOT NULL)',
    `CREATE TABLE payments (worker TEXT NOT NULL REFERENCES workers(id), amount INTEGER NOT NULL);
     INSERT INTO workers VALUES ('seed', 1)`,
];

let dir: string;
beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'runtime-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openDatabase', () => {
    it('uses WAL, full sync, foreign keys and a busy timeout', () => {
        const db = openDatabase(path.join(dir, 'a.db'), []);
        try {
            expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
            expect(db.pragma('synchronous', { simple: true })).toBe(2);
            expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
            expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
        } finally {
            db.close();
        }
    });

    it('applies each migration once, across reopenings', () => {
        const file = path.join(dir, 'a.db');
        const first = openDatabase(file, migrations);
        expect(first.pragma('user_version', { simple: true })).toBe(2);
        first.close();
        // Re-applying would fail (the tables exist) or duplicate the seed row.
        const again = openDatabase(file, migrations);
        expect(again.prepare('SELECT count(*) AS n FROM workers').get()).toEqual({ n: 1 });
        again.close();
        const grown = openDatabase(file, [...migrations, 'ALTER TABLE workers ADD COLUMN name TEXT']);
        expect(grown.pragma('user_version', { simple: true })).toBe(3);
        expect(grown.prepare('SELECT * FROM workers').get()).toEqual({ id: 'seed', price: 1, name: null });
        grown.close();
    });

    it('enforces foreign keys', () => {
        const db = openDatabase(':memory:', migrations);
        expect(() => db.prepare("INSERT INTO payments VALUES ('nobody', 5)").run()).toThrow('FOREIGN KEY constraint failed');
        db.close();
    });

    it('rolls a failing migration back and names it', () => {
        const file = path.join(dir, 'a.db');
        const failing = [migrations[0], "INSERT INTO workers VALUES ('w', 1); INSERT INTO nowhere VALUES (1)"];
        expect(() => openDatabase(file, failing)).toThrow(`database ${file}: migration 1 failed: no such table: nowhere`);
        const db = openDatabase(file, [migrations[0]]);
        expect(db.pragma('user_version', { simple: true })).toBe(1);
        expect(db.prepare('SELECT count(*) AS n FROM workers').get()).toEqual({ n: 0 });
        db.close();
    });

    it('refuses a database newer than its migrations', () => {
        const file = path.join(dir, 'a.db');
        openDatabase(file, migrations).close();
        expect(() => openDatabase(file, [migrations[0]])).toThrow(
            `database ${file}: schema version 2 is newer than this program (1 migrations)`,
        );
    });

    it('does not create a missing parent folder', () => {
        const file = path.join(dir, 'missing', 'a.db');
        expect(() => openDatabase(file, [])).toThrow(DatabaseError);
        expect(() => openDatabase(file, [])).toThrow(`database ${file}: folder ${path.join(dir, 'missing')} does not exist`);
    });
});

describe('inTransaction', () => {
    it('commits what returns and rolls back what throws', () => {
        const db = openDatabase(':memory:', migrations);
        const insert = db.prepare('INSERT INTO workers VALUES (?, ?)');
        expect(inTransaction(db, () => insert.run('a', 1).changes)).toBe(1);
        expect(() =>
            inTransaction(db, () => {
                insert.run('b', 1);
                insert.run('a', 2);
            }),
        ).toThrow('UNIQUE constraint failed');
        expect(db.prepare('SELECT id FROM workers ORDER BY id').pluck().all()).toEqual(['a', 'seed']);
        db.close();
    });
});

describe('per-request writes', () => {
    it('prepares each SQL text once for the database', () => {
        const db = openDatabase(path.join(dir, 'a.db'), migrations);
        try {
            const sql = 'SELECT price FROM workers WHERE id = ?';
            expect(db.prepare(sql)).toBe(db.prepare(sql));
            expect(db.prepare(sql).get('seed')).toEqual({ price: 1 });
            expect(db.prepare('SELECT id FROM workers')).not.toBe(db.prepare(sql));
        } finally {
            db.close();
        }
    });

    it('withoutFlush commits at synchronous=NORMAL, then the database is back at FULL; a throw rolls back', () => {
        const file = path.join(dir, 'a.db');
        const db = openDatabase(file, migrations);
        const levels: number[] = [];
        withoutFlush(db, () => {
            levels.push(db.pragma('synchronous', { simple: true }) as number);
            db.prepare('INSERT INTO workers VALUES (?, ?)').run('w1', 5);
        });
        expect(levels).toEqual([1]);
        expect(db.pragma('synchronous', { simple: true })).toBe(2);
        expect(() =>
            withoutFlush(db, () => {
                db.prepare('INSERT INTO workers VALUES (?, ?)').run('w2', 6);
                throw new Error('half-way');
            }),
        ).toThrow('half-way');
        expect(db.pragma('synchronous', { simple: true })).toBe(2);
        // inside a transaction the level cannot change: the outer transaction's holds
        inTransaction(db, () => withoutFlush(db, () => db.prepare('INSERT INTO workers VALUES (?, ?)').run('w3', 7)));
        db.close();
        const again = openDatabase(file, migrations);
        expect(again.prepare('SELECT id, price FROM workers ORDER BY id').all()).toEqual([
            { id: 'seed', price: 1 },
            { id: 'w1', price: 5 },
            { id: 'w3', price: 7 },
        ]);
        again.close();
    });
});
