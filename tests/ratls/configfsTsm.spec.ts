import { createHash } from 'crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { QuoteProviderError } from '../../offchain/ratls/errors';
import { generateIdentity } from '../../offchain/ratls/identity';
import { parseCertificate } from '../../offchain/ratls/parseCertificate';
import { TsmQuoteProvider, type TsmFs } from '../../offchain/ratls/providers';
import { simulatedTsm, syntheticQuote } from './simulatedTsm';

describe('configfs-tsm quote provider (simulated kernel folder)', () => {
    let root: string;
    beforeEach(() => {
        root = mkdtempSync(path.join(tmpdir(), 'ratls-tsm-'));
    });
    afterEach(() => rmSync(root, { recursive: true }));

    it('writes SHA-512(claims) to inblob, puts outblob in the certificate, and removes its entry', async () => {
        const inblobs: Buffer[] = [];
        const sim = simulatedTsm((rd) => syntheticQuote(rd, { mrTdFill: 0x5a }));
        const fs: TsmFs = {
            ...sim,
            writeFile: async (file, data) => {
                if (file.endsWith('/inblob')) inblobs.push(Buffer.from(data));
                expect(path.dirname(path.dirname(file))).toBe(root);
                expect(path.basename(path.dirname(file))).toMatch(new RegExp(`^cocoon-${process.pid}-[0-9a-f]{12}$`));
                await sim.writeFile(file, data);
            },
        };
        const id = await generateIdentity({ provider: new TsmQuoteProvider({ root, fs }) });
        const cert = parseCertificate(id.certDer);
        const reportData = createHash('sha512').update(cert.claims!).digest();
        expect(inblobs).toEqual([reportData]);
        expect(Buffer.from(cert.quote!)).toEqual(Buffer.from(syntheticQuote(reportData, { mrTdFill: 0x5a })));
        expect(id.provider).toBe('tdx');
        expect(readdirSync(root)).toEqual([]);
    });

    it('fails with a clear error when configfs-tsm is missing', async () => {
        const missing = path.join(root, 'no-such-dir');
        await expect(new TsmQuoteProvider({ root: missing }).quote(new Uint8Array(64))).rejects.toThrow(
            new RegExp(`^cannot create a configfs-tsm report entry under ${missing} \\(not a TDX guest, or configfs not mounted\\?\\): ENOENT`),
        );
        expect(existsSync(missing)).toBe(false);
    });

    it('refuses another TSM provider, a racing writer, an empty quote and bad REPORTDATA', async () => {
        const quote = (fs: TsmFs, rd = new Uint8Array(64)) => new TsmQuoteProvider({ root, fs }).quote(rd);
        await expect(quote(simulatedTsm(syntheticQuote, 'sev_guest'))).rejects.toThrow(new QuoteProviderError('configfs-tsm provider is "sev_guest", expected "tdx_guest"'));

        const sim = simulatedTsm(syntheticQuote);
        const racing: TsmFs = {
            ...sim,
            writeFile: async (file, data) => {
                await sim.writeFile(file, data);
                if (file.endsWith('/inblob')) await sim.writeFile(file, data); // another writer on the same entry
            },
        };
        await expect(quote(racing)).rejects.toThrow(new QuoteProviderError('configfs-tsm entry changed while reading (generation 2, expected 1)'));
        await expect(quote(simulatedTsm(() => new Uint8Array()))).rejects.toThrow(new QuoteProviderError('configfs-tsm returned an empty quote'));
        await expect(quote(sim, new Uint8Array(32))).rejects.toThrow(new QuoteProviderError('REPORTDATA must be 64 bytes, got 32'));
        expect(readdirSync(root)).toEqual([]);
    });
});
