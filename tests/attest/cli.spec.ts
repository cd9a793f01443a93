import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { expected, expectedFields, FIXTURES, quoteBytes } from './fixtures';

const ROOT = join(__dirname, '..', '..');

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

function cocoon(...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
        execFile('node', [join(ROOT, 'bin', 'cocoon.js'), 'attest', 'quote', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
            resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
        });
    });
}

const fixture = (name: string) => join(FIXTURES, name);
const COLLATERAL = fixture('quote-c.collateral.json');
const VERIFY_AT = expected['quote-c.dat'].collateral!.verifyAt;

describe('cocoon attest quote', () => {
    let dir: string;
    beforeAll(() => {
        dir = mkdtempSync(join(tmpdir(), 'attest-cli-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const temp = (name: string, data: string | Uint8Array) => {
        const path = join(dir, name);
        writeFileSync(path, data);
        return path;
    };

    it('raw quote-a --json: exit 0 and every expected.json field', async () => {
        const run = await cocoon(fixture('quote-a.dat'), '--json');
        expect([run.code, run.stderr]).toEqual([0, '']);
        const report = JSON.parse(run.stdout);
        for (const [key, value] of Object.entries(expectedFields('quote-a.dat'))) expect([key, report[key]]).toEqual([key, value]);
        expect(report.tcbStatus).toBeUndefined();
    });

    it('quote-b as hex text: exit 0, the same fields', async () => {
        const hex = Buffer.from(quoteBytes('quote-b.dat')).toString('hex').replace(/(.{64})/g, '$1\n');
        const run = await cocoon(temp('quote-b.hex', hex), '--json');
        expect(run.code).toBe(0);
        const report = JSON.parse(run.stdout);
        for (const [key, value] of Object.entries(expectedFields('quote-b.dat'))) expect([key, report[key]]).toEqual([key, value]);
    });

    it('quote-c with collateral at verifyAt: exit 0, UpToDate, no advisories', async () => {
        const run = await cocoon(fixture('quote-c.dat'), '--collateral', COLLATERAL, '--at', VERIFY_AT, '--json');
        expect(run.code).toBe(0);
        const report = JSON.parse(run.stdout);
        expect([report.ok, report.signatureChainValid, report.tcbStatus, report.advisoryIds]).toEqual([true, true, 'UpToDate', []]);
        expect(report.imageHash).toBe(expected['quote-c.dat'].imageHash);
    });

    it('quote-c with collateral past its validity: exit 1, chain still valid, no TCB status', async () => {
        const run = await cocoon(fixture('quote-c.dat'), '--collateral', COLLATERAL, '--at', '2025-08-01T00:00:00Z', '--json');
        expect(run.code).toBe(1);
        const report = JSON.parse(run.stdout);
        expect([report.ok, report.signatureChainValid, report.tcbStatus]).toEqual([false, true, undefined]);
    });

    it('text output of a tampered quote: exit 1 naming the failed check', async () => {
        const bytes = quoteBytes('quote-a.dat');
        bytes[200] ^= 1; // MRTD
        const run = await cocoon(temp('tampered.dat', bytes));
        expect(run.code).toBe(1);
        expect(run.stdout).toContain('FAIL  quote signature: quote signature does not verify with the attestation key\n');
        expect(run.stdout.endsWith('verdict: NOT valid\n')).toBe(true);
    });

    it('garbage: exit 1 with a failed parse check', async () => {
        const run = await cocoon(temp('garbage.dat', 'not a quote at all: just some text, long enough to fill a header'), '--json');
        expect(run.code).toBe(1);
        expect(JSON.parse(run.stdout).checks[0]).toEqual({ name: 'parse', ok: false, detail: 'unsupported quote version 28526 (expected 4 or 5)' });
    });

    it('bad input exits 2 with one line on stderr', async () => {
        const missing = join(dir, 'missing.dat');
        const bad = temp('bad.json', JSON.stringify({ ...JSON.parse(readFileSync(COLLATERAL, 'utf8')), pck_crl: 'zz' }));
        const runs = await Promise.all([
            cocoon(missing),
            cocoon(fixture('quote-a.dat'), '--at', 'yesterday'),
            cocoon(fixture('quote-c.dat'), '--collateral', bad),
        ]);
        expect(runs).toEqual([
            { code: 2, stdout: '', stderr: `cocoon: cannot read quote ${missing} (ENOENT)\n` },
            { code: 2, stdout: '', stderr: 'cocoon: --at must be an ISO date-time, got "yesterday"\n' },
            { code: 2, stdout: '', stderr: `cocoon: collateral ${bad}: collateral.pck_crl: neither DER, hex nor PEM\n` },
        ]);
    });
});
