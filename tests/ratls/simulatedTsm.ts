import { promises as fs } from 'fs';
import * as path from 'path';
import type { TsmFs } from '../../offchain/ratls/providers';

/**
 * Plays the kernel's part of configfs-tsm in an ordinary folder: mkdir populates `provider` and `generation`,
 * each inblob write bumps `generation`, and reading `outblob` returns `makeQuote(inblob)`.
 */
export function simulatedTsm(makeQuote: (reportData: Uint8Array) => Uint8Array, provider = 'tdx_guest'): TsmFs {
    return {
        async mkdir(dir) {
            await fs.mkdir(dir);
            await fs.writeFile(path.join(dir, 'provider'), `${provider}\n`);
            await fs.writeFile(path.join(dir, 'generation'), '0\n');
        },
        async rmdir(dir) {
            await fs.rm(dir, { recursive: true });
        },
        async readFile(file) {
            if (path.basename(file) !== 'outblob') return fs.readFile(file);
            const quote = makeQuote(await fs.readFile(path.join(path.dirname(file), 'inblob')));
            await fs.writeFile(file, quote);
            return quote;
        },
        async writeFile(file, data) {
            await fs.writeFile(file, data);
            if (path.basename(file) === 'inblob') {
                const genFile = path.join(path.dirname(file), 'generation');
                const gen = Number((await fs.readFile(genFile, 'utf8')).trim());
                await fs.writeFile(genFile, `${gen + 1}\n`);
            }
        },
    };
}

/** TD report body offsets of a v4 quote (ref §6.5). */
const TD_ATTRIBUTES = 168;
const MR_TD = 184;
const REPORT_DATA = 568;
const BODY_END = 632;

/** A structurally valid, unsigned v4 TDX quote with the given REPORTDATA, MRTD byte fill and DEBUG bit. */
export function syntheticQuote(reportData: Uint8Array, options: { debug?: boolean; mrTdFill?: number } = {}): Uint8Array {
    const q = Buffer.alloc(BODY_END + 4);
    q.writeUInt16LE(4, 0);
    q.writeUInt16LE(2, 2);
    q.writeUInt32LE(0x81, 4);
    q[TD_ATTRIBUTES] = options.debug ? 0x01 : 0x00;
    q.fill(options.mrTdFill ?? 0x11, MR_TD, MR_TD + 48);
    Buffer.from(reportData).copy(q, REPORT_DATA);
    return new Uint8Array(q);
}
