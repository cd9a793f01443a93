import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK } from '../../offchain/cli/errors';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('the newcomer path: README, npm scripts, docs/cli.md', () => {
    it('npm start, npm run gas and npm run demo:contracts build the contracts first (a fresh clone has no build/)', () => {
        const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
        expect([scripts.start, scripts.gas, scripts['demo:contracts']]).toEqual([
            'node scripts/buildQuiet.js && node bin/cocoon.js up',
            'node scripts/buildQuiet.js && ts-node --transpile-only scripts/gasReport.ts',
            'node scripts/buildQuiet.js && ts-node --transpile-only scripts/demo.ts',
        ]);
    });

    it('on a fresh clone (no build/) the quiet build builds all five and prints one line: no BOC dumps, no escapes', () => {
        // A copy of what the build reads, so that this test never rewrites build/ under other test files.
        const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'fresh-clone-'));
        try {
            for (const item of ['contracts', 'wrappers', 'scripts/buildQuiet.js', 'package.json', 'tsconfig.json', 'blueprint.config.ts']) {
                fs.cpSync(path.join(ROOT, item), path.join(clone, item), { recursive: true });
            }
            fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'));
            const r = spawnSync(process.execPath, [path.join(clone, 'scripts', 'buildQuiet.js')], { cwd: clone, encoding: 'utf8', timeout: 300_000 });
            expect([r.status, r.stderr]).toEqual([0, '']);
            expect(r.stdout).toMatch(/^· contracts: built 5 in \d+\.\d s\n$/);
            expect(fs.readdirSync(path.join(clone, 'build')).filter((f) => f.endsWith('.compiled.json')).length).toBe(5);
        } finally {
            fs.rmSync(clone, { recursive: true, force: true });
        }
    }, 300_000);

    it("the README explains the one npm install warning: Tact's declared Node engine", () => {
        const tact = JSON.parse(read('node_modules/@tact-lang/compiler/package.json')) as { version: string; engines: { node: string } };
        expect([tact.version, tact.engines.node]).toEqual(['1.6.13', '>=22.0.0']);
        const readme = read('README.md');
        expect(readme).toContain(`npm warn EBADENGINE   package: '@tact-lang/compiler@${tact.version}',`);
        expect(readme).toContain(`npm warn EBADENGINE   required: { node: '${tact.engines.node}' },`);
        expect(readme).toContain('The Tact compiler 1.6.13 declares Node 22, but it compiles and runs on Node 20');
        expect(JSON.parse(read('package.json')).engines).toEqual({ node: '>=20' });
    });

    it('docs/cli.md has the exit-code table the code uses, and the command docs link to it', () => {
        const cli = read('docs/cli.md');
        expect([EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT]).toEqual([0, 1, 2]);
        expect(cli).toContain('| exit | meaning | examples |');
        for (const row of ['| 0 | done; for a verification, accepted |', '| 1 | failed or rejected |', '| 2 | bad usage or bad input |']) expect(cli).toContain(row);
        for (const doc of ['docs/attestation.md', 'docs/tdx.md', 'docs/devnet.md']) expect([doc, read(doc).includes('](cli.md)')]).toEqual([doc, true]);
        expect(read('README.md')).toContain('](docs/cli.md)');
    });
});
