import { spawn } from 'child_process';
import path from 'path';

const BIN = path.join(__dirname, '..', '..', 'bin', 'cocoon.js');

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
    });
}

describe('cocoon up --demo (what `npm start -- --demo` runs)', () => {
    it('starts the network, prints where it is, serves one paid streaming request, settles it and exits 0', async () => {
        const r = await run(['up', '--demo', '--client-port', '0'], 170_000);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const out = r.stdout;
        for (const label of ['Chain API', 'Root', 'Proxy contract', 'Client contract', 'Worker contract']) {
            expect(out).toMatch(new RegExp(`^${label}: \\S+$`, 'm'));
        }
        expect(out).toMatch(/^OpenAI base URL: http:\/\/127\.0\.0\.1:\d+\/v1$/m);
        expect(out).toMatch(/^Try: curl http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions /m);
        expect(out).toMatch(/^Answer: (\w+ ){23}\w+$/m);
        expect(out).toMatch(/^ {2}tokens: prompt 7, cached 0, completion 24, reasoning 0, total 31$/m);
        expect(out).toMatch(/^ {2}cost 31 × 1000 nanoTON = 0\.000031 TON; client total 31 tokens$/m);
        expect(out).toMatch(/^ {2}client contract: balance \S+ TON \(−0\.000031 TON\), tokens charged 31$/m);
        expect(out).toMatch(/^ {2}worker contract: tokens paid 31, payout 31 × 800 = 0\.0000248 TON to the worker's wallet$/m);
        expect(out).toContain('Settled to the nanoTON: the client paid 0.000031 TON, the worker earned 0.0000248 TON, the proxy 0.0000062 TON.');
    }, 180_000);
});
