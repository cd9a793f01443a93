import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { parseCertificate, pemToDer } from '../../offchain/ratls/parseCertificate';

const cocoon = path.join(__dirname, '..', '..', 'bin', 'cocoon.js');

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile('node', [cocoon, 'attest', ...args], (error, stdout, stderr) => {
            resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
        });
    });
}

describe('cocoon attest gen-cert / cert (child processes)', () => {
    let dir: string;
    beforeAll(() => {
        dir = mkdtempSync(path.join(tmpdir(), 'ratls-cli-'));
    });
    afterAll(() => rmSync(dir, { recursive: true }));

    it('gen-cert writes a fake certificate that cert accepts only under a fake policy', async () => {
        const base = path.join(dir, 'worker');
        const gen = await run('gen-cert', '--provider', 'fake', '--out', base);
        expect(gen).toEqual({
            code: 0,
            stdout: `key: ${base}_key.pem\ncert: ${base}_cert.pem\nimage hash: 5c55c8f4db4010ba9203d83536d0609856af8c847ac039e37e7dde8fbd574b61\n`,
            stderr: '',
        });
        const certFile = `${base}_cert.pem`;
        const fingerprint = parseCertificate(pemToDer(readFileSync(certFile, 'utf8'))).fingerprint;
        const [again, strict, json, otherImage] = await Promise.all([
            run('gen-cert', '--provider', 'fake', '--out', base),
            run('cert', certFile),
            run('cert', certFile, '--provider', 'fake', '--json'),
            run('cert', certFile, '--provider', 'fake,none', '--image-hash', 'AB'.repeat(32)),
        ]);
        expect(again).toEqual({ code: 2, stdout: '', stderr: `cocoon: ${base}_key.pem exists (use --force to overwrite)\n` });
        expect(strict.code).toBe(1);
        expect(strict.stdout.split('\n').slice(0, 2)).toEqual([`certificate ${fingerprint}`, 'provider fake']);
        expect(strict.stdout).toMatch(/\nFAIL provider: provider fake not accepted by policy "cli" \(accepts tdx\)\n/);
        expect(strict.stdout.endsWith('\nrejected: provider: provider fake not accepted by policy "cli" (accepts tdx)\n')).toBe(true);
        expect(json.code).toBe(0);
        const report = JSON.parse(json.stdout);
        expect([report.ok, report.fingerprint, report.provider, report.quote.imageHash]).toEqual([true, fingerprint, 'fake', '5c55c8f4db4010ba9203d83536d0609856af8c847ac039e37e7dde8fbd574b61']);
        expect(report.checks).toHaveLength(17);
        expect(otherImage.code).toBe(1);
        expect(otherImage.stdout.endsWith(`\nrejected: imageHash: image hash 5c55c8f4db4010ba9203d83536d0609856af8c847ac039e37e7dde8fbd574b61 is not allowed by policy "cli"\n`)).toBe(true);
    });

    it('exit 1 when no quote can be made, exit 2 for bad input', async () => {
        const tsm = path.join(dir, 'no-tsm');
        const [tdx, provider, missing] = await Promise.all([
            run('gen-cert', '--provider', 'tdx', '--out', path.join(dir, 'tdx'), '--tsm-root', tsm),
            run('gen-cert', '--provider', 'sgx', '--out', path.join(dir, 'x')),
            run('cert', path.join(dir, 'missing.pem')),
        ]);
        expect(tdx.code).toBe(1);
        expect(tdx.stderr).toMatch(new RegExp(`^cocoon: cannot create a configfs-tsm report entry under ${tsm} \\(not a TDX guest, or configfs not mounted\\?\\): ENOENT`));
        expect(provider).toEqual({ code: 2, stdout: '', stderr: 'cocoon: unknown provider "sgx" (expected tdx, fake, none)\n' });
        expect(missing).toEqual({ code: 2, stdout: '', stderr: `cocoon: cannot read certificate ${path.join(dir, 'missing.pem')} (ENOENT)\n` });
    });
});
