import { randomBytes } from 'crypto';
import { promises as nodeFs } from 'fs';
import * as path from 'path';
import { QuoteProviderError } from '../errors';
import type { QuoteProvider } from './types';

/** The file operations the provider performs; a test passes a folder plus operations that play the kernel's part. */
export interface TsmFs {
    mkdir(dir: string): Promise<unknown>;
    rmdir(dir: string): Promise<void>;
    readFile(file: string): Promise<Uint8Array>;
    writeFile(file: string, data: Uint8Array): Promise<void>;
}

export interface TsmQuoteProviderOptions {
    /** configfs-tsm report folder; default the kernel's. */
    root?: string;
    fs?: TsmFs;
}

export const DEFAULT_TSM_ROOT = '/sys/kernel/config/tsm/report';
const TDX_PROVIDER = 'tdx_guest';

const defaultFs: TsmFs = {
    mkdir: (dir) => nodeFs.mkdir(dir),
    rmdir: (dir) => nodeFs.rmdir(dir),
    readFile: (file) => nodeFs.readFile(file),
    writeFile: (file, data) => nodeFs.writeFile(file, data),
};

/**
 * Real TDX quotes through Linux configfs-tsm: create a report entry, write REPORTDATA to `inblob`, read the quote
 * from `outblob`, and check `generation` moved by exactly one (otherwise another writer raced us on the entry).
 */
export class TsmQuoteProvider implements QuoteProvider {
    readonly name = 'tdx' as const;
    private readonly root: string;
    private readonly fs: TsmFs;

    constructor(options: TsmQuoteProviderOptions = {}) {
        this.root = options.root ?? DEFAULT_TSM_ROOT;
        this.fs = options.fs ?? defaultFs;
    }

    async quote(reportData: Uint8Array): Promise<Uint8Array> {
        if (reportData.length !== 64) throw new QuoteProviderError(`REPORTDATA must be 64 bytes, got ${reportData.length}`);
        const entry = path.join(this.root, `cocoon-${process.pid}-${randomBytes(6).toString('hex')}`);
        try {
            await this.fs.mkdir(entry);
        } catch (e) {
            throw new QuoteProviderError(`cannot create a configfs-tsm report entry under ${this.root} (not a TDX guest, or configfs not mounted?): ${(e as Error).message}`);
        }
        try {
            const provider = Buffer.from(await this.read(entry, 'provider')).toString('utf8').trim();
            if (provider !== TDX_PROVIDER) throw new QuoteProviderError(`configfs-tsm provider is "${provider}", expected "${TDX_PROVIDER}"`);
            const before = await this.generation(entry);
            await this.fs.writeFile(path.join(entry, 'inblob'), reportData);
            const quote = await this.read(entry, 'outblob');
            const after = await this.generation(entry);
            if (after !== before + 1) {
                throw new QuoteProviderError(`configfs-tsm entry changed while reading (generation ${after}, expected ${before + 1})`);
            }
            if (quote.length === 0) throw new QuoteProviderError('configfs-tsm returned an empty quote');
            return Uint8Array.from(quote);
        } finally {
            // Entries are per request; a failed removal only leaves an empty entry behind, so it must not mask the result.
            await this.fs.rmdir(entry).catch(() => undefined);
        }
    }

    private async read(entry: string, attribute: string): Promise<Uint8Array> {
        try {
            return await this.fs.readFile(path.join(entry, attribute));
        } catch (e) {
            if (e instanceof QuoteProviderError) throw e;
            throw new QuoteProviderError(`cannot read configfs-tsm ${attribute}: ${(e as Error).message}`);
        }
    }

    private async generation(entry: string): Promise<number> {
        const text = Buffer.from(await this.read(entry, 'generation')).toString('utf8').trim();
        if (!/^\d+$/.test(text)) throw new QuoteProviderError(`configfs-tsm generation is not a number: "${text}"`);
        return Number(text);
    }
}
