import path from 'path';
import { cocoon } from './run';

const block = ['-r', path.join(__dirname, 'blockBuild.js')];

describe('cocoon before the contracts are built', () => {
    it('prints its help, listing every command, without loading a contract binding', async () => {
        const r = await cocoon(['--help'], { nodeArgs: block });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        for (const command of ['up', 'proxy', 'worker', 'client', 'registry', 'wallet', 'client-contract', 'attest', 'devnet']) {
            expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
        }
    });

    it.each([['devnet'], ['up'], ['proxy'], ['client-contract']])('prints `%s --help`', async (command) => {
        const r = await cocoon([command, '--help'], { nodeArgs: block });
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^Usage: cocoon ${command} `, 'm'));
    });

    it('shows that the guard works: a command that needs the bindings fails under it, in one line', async () => {
        const r = await cocoon(['registry', '--endpoint', 'http://127.0.0.1:9/api/v2/jsonRPC', '--root', `0:${'1'.repeat(64)}`], { nodeArgs: block });
        expect(r.code).toBe(1);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(/^cocoon: loaded a build artifact: .*build/);
    });
});

describe('cocoon errors', () => {
    it('names the bad config field in one line and exits 2', async () => {
        const file = path.join(__dirname, 'fixtures', 'proxy-bad-port.json');
        const r = await cocoon(['proxy', '--config', file]);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe(`cocoon: config ${file}: /listen/workers/port must be <= 65535\n`);
        expect(r.code).toBe(2);
    });

    it('says a config file is missing in one line and exits 2', async () => {
        const r = await cocoon(['worker', '--config', '/nonexistent/worker.json']);
        expect(r.stderr).toBe('cocoon: config /nonexistent/worker.json: file not found\n');
        expect(r.code).toBe(2);
    });

    it('reports an unreachable chain in one line and exits 1', async () => {
        const r = await cocoon(['registry', '--endpoint', 'http://127.0.0.1:9/api/v2/jsonRPC', '--root', `0:${'1'.repeat(64)}`]);
        expect(r.code).toBe(1);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(/^cocoon: getAddressInformation: no endpoint answered after \d+ attempts/);
        expect(r.stderr).not.toMatch(/^\s+at /m);
    });

    it('refuses a bad argument with exit 2', async () => {
        const r = await cocoon(['registry', '--endpoint', 'http://127.0.0.1:9', '--root', 'nope']);
        expect(r.stderr).toBe('cocoon: --root "nope" is not a TON address\n');
        expect(r.code).toBe(2);
    });
});
