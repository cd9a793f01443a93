import { Address } from '@ton/core';
import Database from 'better-sqlite3';
import fs from 'fs';
import path from 'path';
import { MiB, readInputFile } from '../runtime/inputFile';
import { describeJsonSyntaxError } from '../runtime/jsonSyntax';
import { DevnetStore, SerializableSnapshot, STORE_APPLICATION_ID, txRecord } from './store';

/** The JSON state file that devnets before the SQLite store wrote; read once, to migrate it. */
const LEGACY_FORMAT = 'cocoon-devnet-state';
const LEGACY_VERSION = 1;
/** Bounds what a wrong --state path (a disk image, a device) that looks like JSON can cost. */
const MAX_LEGACY_BYTES = 512 * MiB;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

interface LegacyLedger {
    now: number;
    blockSeqno: number;
    blockchain: SerializableSnapshot;
    transactions: { address: string; boc: string; block?: number }[];
}

export class DevnetStateError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'DevnetStateError';
    }
}

/**
 * Opens the devnet's `--state` file: a missing file in an existing folder becomes a new store, a devnet store is
 * opened, an old JSON state file is migrated to a store in its place (once); a missing folder (a typo), another
 * file, or a store another devnet has open is an error.
 */
export function openStateStore(file: string, log: (line: string) => void): DevnetStore {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) {
        const dir = path.dirname(path.resolve(file));
        if (!fs.existsSync(dir)) throw new DevnetStateError(`devnet state ${file}: folder ${path.dirname(file)} does not exist`);
    } else if (!stat.isFile()) {
        throw new DevnetStateError(`devnet state ${file} is not a regular file`);
    } else if (stat.size > 0) {
        const head = firstBytes(file, SQLITE_HEADER.length);
        if (head.equals(SQLITE_HEADER)) checkStore(file);
        else if (head.toString('latin1').trimStart().startsWith('{')) migrate(file, readLegacyState(file), log);
        else throw new DevnetStateError(`devnet state ${file} is neither a devnet store (SQLite) nor an old JSON devnet state file`);
    }
    const store = DevnetStore.open(file);
    store.lockExclusively();
    return store;
}

function firstBytes(file: string, n: number): Buffer {
    const fd = fs.openSync(file, 'r');
    try {
        const buf = Buffer.alloc(n);
        return buf.subarray(0, fs.readSync(fd, buf, 0, n, 0));
    } finally {
        fs.closeSync(fd);
    }
}

/** A SQLite file that is not a devnet store (a service's database given by mistake) is never migrated into one. */
function checkStore(file: string): void {
    let probe: Database.Database | undefined;
    let id: number;
    try {
        // No waiting: a store held by another devnet is refused at once.
        probe = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
        id = probe.pragma('application_id', { simple: true }) as number;
    } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'SQLITE_BUSY') throw new DevnetStateError(`devnet state ${file} is in use by another devnet`);
        throw new DevnetStateError(`devnet state ${file}: ${(e as Error).message}`);
    } finally {
        probe?.close();
    }
    if (id !== STORE_APPLICATION_ID) throw new DevnetStateError(`devnet state ${file} is a SQLite database but not a devnet store`);
}

function readLegacyState(file: string): LegacyLedger {
    let text: string;
    try {
        text = readInputFile(file, 'devnet state', MAX_LEGACY_BYTES).toString('utf8');
    } catch (e) {
        throw new DevnetStateError((e as Error).message);
    }
    let doc: { format?: unknown; version?: unknown; ledger?: LegacyLedger };
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw new DevnetStateError(`devnet state ${file}: ${describeJsonSyntaxError(text) ?? (e as Error).message}`);
    }
    // Only the expected values are named: the file's own values may be anything, of any length.
    if (doc?.format !== LEGACY_FORMAT) throw new DevnetStateError(`${file} is not a devnet state file (no "format": "${LEGACY_FORMAT}")`);
    if (doc.version !== LEGACY_VERSION) throw new DevnetStateError(`devnet state ${file} is not version ${LEGACY_VERSION}, the only JSON version this devnet reads`);
    const l = doc.ledger;
    if (!l || typeof l.now !== 'number' || typeof l.blockSeqno !== 'number' || !l.blockchain || !Array.isArray(l.transactions)) {
        throw new DevnetStateError(`devnet state ${file} is incomplete (ledger.now, blockSeqno, blockchain, transactions)`);
    }
    return l;
}

/** Writes the JSON state into a new store beside it, then puts the store in its place (a crash leaves the JSON). */
function migrate(file: string, legacy: LegacyLedger, log: (line: string) => void): void {
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.migrating`);
    const removeTmp = () => ['', '-wal', '-shm'].forEach((suffix) => fs.rmSync(tmp + suffix, { force: true }));
    removeTmp();
    try {
        const store = DevnetStore.open(tmp);
        try {
            const { contracts, transactions: _sandboxHistory, lt, time: _time, ...sandbox } = legacy.blockchain;
            store.commit({
                sandbox,
                accounts: contracts.map((c) => ({ address: Address.parse(c.address), shardAccount: Buffer.from(c.account, 'base64'), lastTxTime: c.lastTxTime })),
                records: legacy.transactions.map((t) => txRecord(Address.parse(t.address), Buffer.from(t.boc, 'base64'), t.block ?? 0)),
                clock: { lt: BigInt(lt), now: legacy.now, blockSeqno: legacy.blockSeqno, blockTime: legacy.now },
            });
        } finally {
            store.close();
        }
        fs.renameSync(tmp, file);
    } catch (e) {
        removeTmp();
        throw new DevnetStateError(`cannot restore devnet state from ${file}: ${(e as Error).message}`);
    }
    log(`devnet: migrated the JSON state file ${file} to a devnet store (SQLite) in its place`);
}
