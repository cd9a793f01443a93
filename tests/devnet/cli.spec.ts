import { Address } from '@ton/core';
import Database from 'better-sqlite3';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { requestFaucet } from '../../offchain/chain/faucet';
import { startCli, startTestDevnet } from './helpers';

const ROOT = path.join(__dirname, '..', '..');

function exitOf(child: ChildProcess): Promise<number | null> {
    return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('cocoon devnet (command line)', () => {
    it('serves until SIGTERM, logs transactions and saves its state', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devnet-cli-'));
        const state = path.join(dir, 'state.db');
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
            const store = new Database(state, { readonly: true });
            expect(store.prepare('SELECT count(*) FROM transactions').pluck().get()).toBe(1);
            store.close();
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('--help says how the state is kept and binds to --host, not always 127.0.0.1', async () => {
        const help = await new Promise<string>((resolve) => {
            const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'cocoon.js'), 'devnet', '--help'], { cwd: ROOT });
            let out = '';
            child.stdout.on('data', (d) => (out += d));
            child.on('exit', () => resolve(out.replace(/\s+/g, ' ')));
        });
        expect(help).toContain('run a local TON network serving the TON HTTP API v2 (toncenter) and a faucet, until Ctrl-C');
        expect(help).toContain('--state <file> keep the chain in this file (created if missing; its folder must exist): every transaction is written as it executes, and a restart goes on from it');
        expect(help).toContain('--host <addr> address to bind (default: "127.0.0.1")');
    });

    it('git ignores the store that the examples in docs/devnet.md write at the repository root, and the old JSON file migrated there', () => {
        const files = [...fs.readFileSync(path.join(ROOT, 'docs', 'devnet.md'), 'utf8').matchAll(/--state ([\w.-]+\.db)/g)].map((m) => m[1]);
        expect([...new Set(files)]).toEqual(['devnet.db']);
        const written = ['devnet.db', 'devnet.db-wal', 'devnet.db-shm', 'devnet.json', `.devnet.json.${process.pid}.migrating-wal`];
        const r = spawnSync('git', ['check-ignore', ...written], { cwd: ROOT, encoding: 'utf8' });
        expect(r.stdout).toBe(written.map((f) => `${f}\n`).join(''));
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
