import { Address } from '@ton/core';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { requestFaucet } from '../../offchain/chain/faucet';
import { startTestDevnet } from './helpers';

const ROOT = path.join(__dirname, '..', '..');

/** Starts `cocoon devnet` and resolves with its endpoint once it prints the ready line. */
function startCli(args: string[]): Promise<{ child: ChildProcess; endpoint: string; output: () => string }> {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'cocoon.js'), 'devnet', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr!.on('data', (d) => (out += d));
    return new Promise((resolve, reject) => {
        child.stdout!.on('data', (d) => {
            out += d;
            const m = /Devnet API: (http:\/\/127\.0\.0\.1:\d+\/api\/v2\/jsonRPC)\n/.exec(out);
            if (m) resolve({ child, endpoint: m[1], output: () => out });
        });
        child.on('exit', (code) => reject(new Error(`cocoon devnet exited with ${code}: ${out}`)));
    });
}

function exitOf(child: ChildProcess): Promise<number | null> {
    return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('cocoon devnet (command line)', () => {
    it('serves until SIGTERM, logs transactions and saves its state', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devnet-cli-'));
        const state = path.join(dir, 'state.json');
        try {
            const { child, endpoint, output } = await startCli(['--port', '0', '--state', state]);
            const target = Address.parse('0:' + 'c1'.repeat(32));
            const r = await requestFaucet(endpoint, target, 1_000_000_000n);
            expect(r.balance).toBe(1_000_000_000n);
            const exited = exitOf(child);
            child.kill('SIGTERM');
            expect(await exited).toBe(0);
            expect(output()).toContain(`tx ${target.toString()} lt=${r.lt} op=empty skipped(no-state)`);
            expect(output()).toContain(`devnet: SIGTERM, stopping and saving to ${state}`);
            expect(JSON.parse(fs.readFileSync(state, 'utf8')).ledger.transactions).toHaveLength(1);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('--help says when the state is saved and binds to --host, not always 127.0.0.1', async () => {
        const help = await new Promise<string>((resolve) => {
            const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'cocoon.js'), 'devnet', '--help'], { cwd: ROOT });
            let out = '';
            child.stdout.on('data', (d) => (out += d));
            child.on('exit', () => resolve(out.replace(/\s+/g, ' ')));
        });
        expect(help).toContain('run a local TON network serving the TON HTTP API v2 (toncenter) and a faucet, until Ctrl-C');
        expect(help).toContain('--state <file> load the chain from this file at start (its folder must exist); save it there every 10 s while it changes and on exit');
        expect(help).toContain('--host <addr> address to bind (default: "127.0.0.1")');
    });

    it('git ignores the state file that the examples in docs/devnet.md write at the repository root', () => {
        const files = [...fs.readFileSync(path.join(ROOT, 'docs', 'devnet.md'), 'utf8').matchAll(/--state ([\w.-]+\.json)/g)].map((m) => m[1]);
        expect([...new Set(files)]).toEqual(['devnet.json']);
        const r = spawnSync('git', ['check-ignore', 'devnet.json', `.devnet.json.${process.pid}.tmp`], { cwd: ROOT, encoding: 'utf8' });
        expect(r.stdout).toBe(`devnet.json\n.devnet.json.${process.pid}.tmp\n`);
    });

    it('rejects a bad port, a bad speed or a busy port with a clear message', async () => {
        const run = (args: string[]) =>
            new Promise<{ code: number | null; err: string }>((resolve) => {
                const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'cocoon.js'), 'devnet', ...args], { cwd: ROOT });
                let err = '';
                child.stderr.on('data', (d) => (err += d));
                child.on('exit', (code) => resolve({ code, err }));
            });
        const bad = await run(['--port', '70000']);
        expect(bad).toEqual({ code: 2, err: "cocoon: option '--port <n>' argument '70000' is invalid. port must be an integer 0..65535, got '70000' (see cocoon devnet --help)\n" });
        const slow = await run(['--port', '0', '--speed', '-2']);
        expect(slow).toEqual({ code: 2, err: "cocoon: option '--speed <factor>' argument '-2' is invalid. speed must be a positive number, got '-2' (see cocoon devnet --help)\n" });
        const blocker = await startTestDevnet();
        try {
            const busy = await run(['--port', String(blocker.devnet.port)]);
            expect(busy.code).toBe(1);
            expect(busy.err).toBe(`cocoon: cannot listen on 127.0.0.1:${blocker.devnet.port}: EADDRINUSE\n`);
        } finally {
            await blocker.devnet.stop();
        }
    });
});
