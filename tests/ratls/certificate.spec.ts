import { createHash, X509Certificate } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { claimsReportData, parseClaims } from '../../offchain/ratls/claims';
import { FAKE_IMAGE_HASH } from '../../offchain/ratls/fakeQuote';
import { generateIdentity, readIdentityFiles, writeIdentityFiles } from '../../offchain/ratls/identity';
import { parseCertificate, pemToDer } from '../../offchain/ratls/parseCertificate';
import { FakeQuoteProvider, NoQuoteProvider } from '../../offchain/ratls/providers';

describe('RA-TLS certificate generation', () => {
    it('the fake image hash is the image hash of all-zero registers: SHA-256 of 448 zero bytes', () => {
        expect(FAKE_IMAGE_HASH).toBe('5c55c8f4db4010ba9203d83536d0609856af8c847ac039e37e7dde8fbd574b61');
        expect(FAKE_IMAGE_HASH).toBe(createHash('sha256').update(Buffer.alloc(448)).digest('hex'));
    });

    it('fake: self-signed Ed25519, one day, quote = SHA-512(claims) in critical extensions, claims bind the key', async () => {
        const now = new Date('2026-03-01T12:00:00.750Z');
        const id = await generateIdentity({ provider: new FakeQuoteProvider(), now, extra: { gpu: new Uint8Array([1, 2]) } });
        const cert = parseCertificate(pemToDer(id.certPem));
        expect(cert.notBefore.toISOString()).toBe('2026-03-01T12:00:00.000Z');
        expect(cert.notAfter.toISOString()).toBe('2026-03-02T12:00:00.000Z');
        expect(cert.keyAlgorithm).toBe('1.3.101.112');
        expect(cert.signatureAlgorithm).toBe('1.3.101.112');
        expect(cert.selfIssued).toBe(true);
        expect(cert.extensions.map((e) => `${e.oid}${e.critical ? '!' : ''}`)).toEqual([
            '1.3.6.1.4.1.12345.1!',
            '1.3.6.1.4.1.12345.2!',
            '2.5.29.19!',
            '2.5.29.15!',
            '2.5.29.37!',
            '2.5.29.14',
            '2.5.29.17',
        ]);
        expect(Buffer.from(cert.quote!)).toEqual(Buffer.from(claimsReportData(cert.claims!)));
        expect(parseClaims(cert.claims!)).toEqual({ version: 1, publicKey: id.publicKey, issuedAt: 1772366400, extra: { gpu: new Uint8Array([1, 2]) } });
        expect(Buffer.from(cert.publicKey)).toEqual(Buffer.from(id.publicKey));
        const node = new X509Certificate(id.certPem);
        expect(node.verify(node.publicKey)).toBe(true);
        expect(node.subjectAltName).toBe('DNS:localhost, DNS:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
        expect(id.fingerprint).toBe(createHash('sha256').update(id.certDer).digest('hex'));
    });

    it('reads GeneralizedTime validity (years from 2050) as well as UTCTime', async () => {
        const id = await generateIdentity({ provider: new FakeQuoteProvider(), now: new Date('2049-12-31T12:00:00Z') });
        const cert = parseCertificate(id.certDer);
        expect([cert.notBefore.toISOString(), cert.notAfter.toISOString()]).toEqual(['2049-12-31T12:00:00.000Z', '2050-01-01T12:00:00.000Z']);
        expect(new X509Certificate(id.certPem).validTo).toBe('Jan  1 12:00:00 2050 GMT');
    });

    it('none: no quote and no claims extension', async () => {
        const id = await generateIdentity({ provider: new NoQuoteProvider() });
        const cert = parseCertificate(id.certDer);
        expect(cert.quote).toBeUndefined();
        expect(cert.claims).toBeUndefined();
        expect(id.provider).toBe('none');
    });

    it('writes <base>_key.pem (0600) and <base>_cert.pem, refuses to overwrite without force, and reads them back', async () => {
        const dir = mkdtempSync(path.join(tmpdir(), 'ratls-cert-'));
        try {
            const base = path.join(dir, 'proxy');
            const id = await generateIdentity({ provider: new FakeQuoteProvider() });
            expect(await writeIdentityFiles(id, base)).toEqual({ keyFile: `${base}_key.pem`, certFile: `${base}_cert.pem` });
            expect(readFileSync(`${base}_cert.pem`, 'utf8')).toBe(id.certPem);
            expect(readFileSync(`${base}_key.pem`, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
            expect(statSync(`${base}_key.pem`).mode & 0o777).toBe(0o600);
            await expect(writeIdentityFiles(id, base)).rejects.toThrow(`${base}_key.pem exists (use --force to overwrite)`);
            rmSync(`${base}_key.pem`);
            await expect(writeIdentityFiles(id, base)).rejects.toThrow(`${base}_cert.pem exists (use --force to overwrite)`);
            writeFileSync(`${base}_cert.pem`, 'old');
            await writeIdentityFiles(id, base, true);
            expect(readFileSync(`${base}_cert.pem`, 'utf8')).toBe(id.certPem);
            expect(await readIdentityFiles(base)).toEqual(id);

            const other = await generateIdentity({ provider: new FakeQuoteProvider() });
            writeFileSync(`${base}_key.pem`, other.keyPem);
            await expect(readIdentityFiles(base)).rejects.toThrow(`${base}_key.pem does not belong to ${base}_cert.pem`);
            await expect(readIdentityFiles(path.join(dir, 'nothing'))).rejects.toThrow(`cannot read ${path.join(dir, 'nothing')}_key.pem (ENOENT)`);
        } finally {
            rmSync(dir, { recursive: true });
        }
    });
});
