import { spawn } from 'child_process';
import path from 'path';

export const BIN = path.join(__dirname, '..', '..', 'bin', 'cocoon.js');

export interface RunResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs the `cocoon` command as a child process (as a user would), with extra node flags and environment. */
export function cocoon(args: string[], opts: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], {
            stdio: ['ignore', 'pipe', 'pipe'],
            env: { ...process.env, ...opts.env },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
        child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
    });
}
