import fs from 'fs';
import os from 'os';
import path from 'path';
import { cocoon, RunResult } from './run';

const QUOTE = path.join(__dirname, '..', 'attest', 'data', 'quote-a.dat');

/** Exact exit code and one exact line on stderr; and, whatever the output, no stack-trace line in it. */
function expectOneLine(r: RunResult, code: number, line: string): void {
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code, stderr: `${line}\n` });
    expectNoStack(r);
}

function expectNoStack(r: RunResult): void {
    const lines = `${r.stdout}\n${r.stderr}`.split('\n');
    expect(lines.filter((l) => l.trim().startsWith('at '))).toEqual([]);
}

let dir: string;
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-bad-input-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const temp = (name: string, data: string | Uint8Array) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, data);
    return file;
};
/** A sparse file of `bytes` bytes: big on paper, free on disk. */
const sparse = (name: string, bytes: number) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, '');
    fs.truncateSync(file, bytes);
    return file;
};

describe('cocoon: one error boundary for every command', () => {
    it('--version prints the package version', async () => {
        const r = await cocoon(['--version']);
        const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
        expect(r).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    });

    it('usage errors exit 2 in one line pointing at the command help', async () => {
        const [missing, unknown, port, command] = await Promise.all([
            cocoon(['attest', 'quote']),
            cocoon(['attest', 'quote', QUOTE, '--bogus']),
            cocoon(['devnet', '--port', '70000']),
            cocoon(['nosuch']),
        ]);
        expectOneLine(missing, 2, "cocoon: missing required argument 'file' (see cocoon attest quote --help)");
        expectOneLine(unknown, 2, "cocoon: unknown option '--bogus' (see cocoon attest quote --help)");
        expectOneLine(port, 2, "cocoon: option '--port <n>' argument '70000' is invalid. port must be an integer 0..65535, got '70000' (see cocoon devnet --help)");
        expectOneLine(command, 2, "cocoon: unknown command 'nosuch' (see cocoon --help)");
    });

    it("an action's own usage error and a config that is a device also exit 2 in one line", async () => {
        const [up, config] = await Promise.all([cocoon(['up', '--engine-url', 'http://127.0.0.1:9']), cocoon(['proxy', '--config', '/dev/zero'], { timeoutMs: 20_000 })]);
        expectOneLine(up, 2, 'cocoon: --engine-url needs --model <name@commit:hash> (its SHA-256 goes into the root)');
        expectOneLine(config, 2, 'cocoon: config /dev/zero: not a regular file');
    });

    it.each([
        ['rejection', 'cocoon: unexpected error: boom second line'],
        ['exception', 'cocoon: unexpected error: kaboom'],
    ])('bin/cocoon.js reports an unexpected %s in one line with exit 1', async (kind, line) => {
        const r = await cocoon(['--version'], { nodeArgs: ['-r', path.join(__dirname, 'fixtures', 'throwLater.js')], env: { COCOON_TEST_THROW: kind } });
        expectOneLine(r, 1, line);
    });
});

describe('cocoon attest: inputs are bounded and checked before use', () => {
    it('refuses a device such as /dev/zero at once instead of reading it forever', async () => {
        const [quote, replay, cert] = await Promise.all([
            cocoon(['attest', 'quote', '/dev/zero'], { timeoutMs: 20_000 }),
            cocoon(['attest', 'rtmr-replay', '/dev/zero'], { timeoutMs: 20_000 }),
            cocoon(['attest', 'cert', '/dev/zero'], { timeoutMs: 20_000 }),
        ]);
        expectOneLine(quote, 2, 'cocoon: quote /dev/zero is not a regular file');
        expectOneLine(replay, 2, 'cocoon: event log /dev/zero is not a regular file');
        expectOneLine(cert, 2, 'cocoon: certificate /dev/zero is not a regular file');
    });

    it('refuses an oversized file by its size, naming the limit', async () => {
        const big = sparse('big.dat', 200 * 1024 * 1024);
        const collateral = sparse('collateral.json', 9 * 1024 * 1024);
        const [quote, replay, withCollateral] = await Promise.all([
            cocoon(['attest', 'quote', big]),
            cocoon(['attest', 'rtmr-replay', big]),
            cocoon(['attest', 'quote', QUOTE, '--collateral', collateral]),
        ]);
        expectOneLine(quote, 2, `cocoon: quote ${big} is over the 256 KiB limit`);
        expectOneLine(replay, 2, `cocoon: event log ${big} is over the 16 MiB limit`);
        expectOneLine(withCollateral, 2, `cocoon: collateral ${collateral} is over the 8 MiB limit`);
    });

    it('refuses an odd-length hex quote instead of reading it as binary', async () => {
        const hex = Buffer.from(fs.readFileSync(QUOTE)).toString('hex');
        const odd = temp('odd.hex', `${hex.slice(0, -1)}\n`);
        expectOneLine(await cocoon(['attest', 'quote', odd]), 2, `cocoon: quote ${odd} is hex text of odd length (${hex.length - 1} digits)`);
    });

    it('names where binary garbage breaks JSON without printing the bytes', async () => {
        const garbage = temp('garbage.json', Buffer.from([0x7b, 0x00, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xff, 0xfe]));
        const config = fs.mkdtempSync(path.join(dir, 'config-'));
        const [collateral, measurements] = await Promise.all([
            cocoon(['attest', 'quote', QUOTE, '--collateral', garbage]),
            cocoon(['attest', 'image-hash', '--measurements', garbage, '--config', config]),
        ]);
        expectOneLine(collateral, 2, `cocoon: collateral ${garbage}: collateral is not JSON: invalid JSON at line 1, column 2: expected a property name in double quotes`);
        expectOneLine(measurements, 2, `cocoon: ${garbage}: invalid JSON at line 1, column 2: expected a property name in double quotes`);
        const lone = temp('lone.json', Buffer.from([0x00, 0x1b]));
        expectOneLine(await cocoon(['attest', 'quote', QUOTE, '--collateral', lone]), 2, `cocoon: collateral ${lone}: collateral is not JSON: invalid JSON at line 1, column 1: unexpected character "\\u0000"`);
    });

    it('attest cert on a quote file says it is not an RA-TLS certificate (not the Intel chain inside the quote)', async () => {
        expectOneLine(await cocoon(['attest', 'cert', QUOTE]), 2, `cocoon: ${QUOTE} is not an RA-TLS certificate: binary data, not PEM text`);
    });

    it('gen-cert refuses an --out in a missing folder or naming a folder, and writes nothing', async () => {
        const missing = path.join(dir, 'no-such-folder', 'node');
        const folder = fs.mkdtempSync(path.join(dir, 'out-'));
        const [inMissing, slash, existing] = await Promise.all([
            cocoon(['attest', 'gen-cert', '--provider', 'none', '--out', missing]),
            cocoon(['attest', 'gen-cert', '--provider', 'none', '--out', `${folder}/`]),
            cocoon(['attest', 'gen-cert', '--provider', 'none', '--out', folder]),
        ]);
        expectOneLine(inMissing, 2, `cocoon: --out "${missing}": folder ${path.dirname(missing)} does not exist`);
        const example = '(e.g. --out keys/node writes keys/node_key.pem and keys/node_cert.pem)';
        expectOneLine(slash, 2, `cocoon: --out "${folder}/" is a folder; it must be a path prefix ${example}`);
        expectOneLine(existing, 2, `cocoon: --out "${folder}" is a folder; it must be a path prefix ${example}`);
        expect(fs.readdirSync(folder)).toEqual([]);
    });
});
