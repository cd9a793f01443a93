import fs from 'fs';
import path from 'path';
import { SavedLedger } from './ledger';

const FORMAT = 'cocoon-devnet-state';
const VERSION = 1;

export class DevnetStateError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'DevnetStateError';
    }
}

/** Reads a saved devnet; a missing file means a fresh devnet (undefined), a damaged one is an error. */
export function readState(file: string): SavedLedger | undefined {
    let text: string;
    try {
        text = fs.readFileSync(file, 'utf8');
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new DevnetStateError(`cannot read devnet state ${file}: ${(e as Error).message}`);
    }
    let doc: { format?: unknown; version?: unknown; ledger?: SavedLedger };
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw new DevnetStateError(`devnet state ${file} is not valid JSON: ${(e as Error).message}`);
    }
    if (doc.format !== FORMAT) throw new DevnetStateError(`${file} is not a devnet state file (format is ${JSON.stringify(doc.format)})`);
    if (doc.version !== VERSION) throw new DevnetStateError(`devnet state ${file} has version ${JSON.stringify(doc.version)}, this devnet reads version ${VERSION}`);
    const l = doc.ledger;
    if (!l || typeof l.now !== 'number' || typeof l.blockSeqno !== 'number' || !l.blockchain || !Array.isArray(l.transactions)) {
        throw new DevnetStateError(`devnet state ${file} is incomplete (ledger.now, blockSeqno, blockchain, transactions)`);
    }
    return l;
}

/** Writes atomically (temp file + rename) so a crash mid-write never leaves a truncated state. */
export function writeState(file: string, ledger: SavedLedger): void {
    const doc = { format: FORMAT, version: VERSION, savedAt: new Date().toISOString(), ledger };
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(tmp, JSON.stringify(doc));
    fs.renameSync(tmp, file);
}
