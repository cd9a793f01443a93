import fs from 'fs';
import path from 'path';
import { MiB, readInputFile } from '../runtime/inputFile';
import { describeJsonSyntaxError } from '../runtime/jsonSyntax';
import { SavedLedger } from './ledger';

const FORMAT = 'cocoon-devnet-state';
const VERSION = 1;
/** Far above any devnet a test or demo builds; bounds what a wrong --state path (a disk image, a device) can cost. */
const MAX_STATE_BYTES = 512 * MiB;

export class DevnetStateError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'DevnetStateError';
    }
}

/**
 * Reads a saved devnet; a missing file in an existing folder means a fresh devnet (undefined), a missing folder (a
 * typo) or a damaged file is an error.
 */
export function readState(file: string): SavedLedger | undefined {
    if (!fs.existsSync(file)) {
        const dir = path.dirname(path.resolve(file));
        if (!fs.existsSync(dir)) throw new DevnetStateError(`devnet state ${file}: folder ${path.dirname(file)} does not exist`);
        return undefined;
    }
    let text: string;
    try {
        text = readInputFile(file, 'devnet state', MAX_STATE_BYTES).toString('utf8');
    } catch (e) {
        throw new DevnetStateError((e as Error).message);
    }
    let doc: { format?: unknown; version?: unknown; ledger?: SavedLedger };
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw new DevnetStateError(`devnet state ${file}: ${describeJsonSyntaxError(text) ?? (e as Error).message}`);
    }
    // Only the expected values are named: the file's own values may be anything, of any length.
    if (doc?.format !== FORMAT) throw new DevnetStateError(`${file} is not a devnet state file (no "format": "${FORMAT}")`);
    if (doc.version !== VERSION) throw new DevnetStateError(`devnet state ${file} is not version ${VERSION}, the only version this devnet reads`);
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
    fs.writeFileSync(tmp, JSON.stringify(doc));
    fs.renameSync(tmp, file);
}
