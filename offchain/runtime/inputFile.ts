import fs from 'fs';

/**
 * An input file that cannot be used as given: missing, not a regular file, or over its size limit. `problem` is the
 * same without the file's role and name, for callers that name the file themselves ("file not found").
 */
export class InputFileError extends Error {
    constructor(
        message: string,
        readonly problem: string,
    ) {
        super(message);
        this.name = 'InputFileError';
    }
}

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** "64 KiB", "16 MiB": how limits are named in error messages. */
export function formatSize(bytes: number): string {
    if (bytes % MiB === 0) return `${bytes / MiB} MiB`;
    if (bytes % KiB === 0) return `${bytes / KiB} KiB`;
    return `${bytes} bytes`;
}

/**
 * Reads a whole input file of at most `maxBytes`. The size is checked before reading and reading stops past the
 * limit, so a huge file costs no memory and a device such as /dev/zero (not a regular file) is refused outright
 * instead of being read forever. `what` names the file's role in messages ("quote", "collateral").
 */
export function readInputFile(file: string, what: string, maxBytes: number): Buffer {
    const unreadable = (e: unknown) => {
        const code = (e as NodeJS.ErrnoException).code ?? 'error';
        return new InputFileError(`cannot read ${what} ${file} (${code})`, code === 'ENOENT' ? 'file not found' : `cannot read the file (${code})`);
    };
    let fd: number;
    try {
        fd = fs.openSync(file, 'r');
    } catch (e) {
        throw unreadable(e);
    }
    try {
        const stat = fs.fstatSync(fd);
        if (!stat.isFile()) throw new InputFileError(`${what} ${file} is not a regular file`, 'not a regular file');
        const limit = `over the ${formatSize(maxBytes)} limit`;
        const tooBig = () => new InputFileError(`${what} ${file} is ${limit}`, limit);
        if (stat.size > maxBytes) throw tooBig();
        // Read in chunks up to one byte past the limit: the file may have grown since fstat.
        const chunks: Buffer[] = [];
        let length = 0;
        for (;;) {
            const chunk = Buffer.alloc(Math.min(64 * KiB, maxBytes + 1 - length));
            const n = fs.readSync(fd, chunk, 0, chunk.length, null);
            if (n === 0) break;
            chunks.push(chunk.subarray(0, n));
            length += n;
            if (length > maxBytes) throw tooBig();
        }
        return Buffer.concat(chunks, length);
    } catch (e) {
        if (e instanceof InputFileError) throw e;
        throw unreadable(e);
    } finally {
        fs.closeSync(fd);
    }
}
