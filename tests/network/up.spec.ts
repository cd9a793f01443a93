import { spawn } from 'child_process';
import { BIN, cocoon } from '../cli/run';

describe('cocoon up (what `npm start` runs)', () => {
    it('with --demo: starts the network, prints where it is, serves one paid streaming request, settles it and exits 0', async () => {
        const r = await cocoon(['up', '--demo', '--client-port', '0'], { timeoutMs: 170_000 });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const out = r.stdout;
        for (const label of ['Chain API', 'Root', 'Proxy contract', 'Client contract', 'Worker contract']) {
            expect(out).toMatch(new RegExp(`^${label}: \\S+$`, 'm'));
        }
        expect(out).toMatch(/^OpenAI base URL: http:\/\/127\.0\.0\.1:\d+\/v1$/m);
        expect(out).toMatch(/^Try: curl http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions /m);
        expect(out).toMatch(/^Answer: (\w+ ){15}\w+$/m);
        expect(out).toMatch(/^ {2}tokens: prompt 7, cached 0, completion 16, reasoning 0, total 23$/m);
        expect(out).toMatch(/^ {2}cost 23 × 1000 nanoTON = 0\.000023 TON; client total 23 tokens$/m);
        expect(out).toMatch(/^ {2}signed charge to client contract for 23 tokens: delivered \(tx [0-9a-f]{16}…\)$/m);
        expect(out).toMatch(/^ {2}signed payout to worker contract for 23 tokens: delivered \(tx [0-9a-f]{16}…\)$/m);
        expect(out).toMatch(/^ {2}client contract: balance \S+ TON \(−0\.000023 TON\), tokens charged 23$/m);
        expect(out).toMatch(/^ {2}worker contract: tokens paid 23, payout 23 × 800 = 0\.0000184 TON to the worker's wallet$/m);
        expect(out).toContain('Settled to the nanoTON: the client paid 0.000023 TON, the worker earned 0.0000184 TON, the proxy 0.0000046 TON.');
    }, 180_000);

    it('runs until Ctrl-C, answering the printed curl request meanwhile', async () => {
        const child = spawn(process.execPath, [BIN, 'up', '--client-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stderr.on('data', (d) => (err += d));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        const curl = await new Promise<RegExpExecArray>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no curl line in time:\n${out}\n${err}`)), 120_000);
            child.stdout.on('data', (d) => {
                out += d;
                const m = /^Try: curl (\S+) -H 'Content-Type: application\/json' -d '(.*)'$/m.exec(out);
                if (m && /Running until Ctrl-C\./.test(out)) {
                    clearTimeout(timer);
                    resolve(m);
                }
            });
        });
        const res = await fetch(curl[1], { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: curl[2] });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { choices: { message: { content: string } }[]; usage: { prompt_tokens: number; completion_tokens: number } };
        expect(body.usage).toEqual(expect.objectContaining({ prompt_tokens: 1, completion_tokens: 16 }));
        expect(body.choices[0].message.content.split(' ')).toHaveLength(16);
        expect(res.headers.get('x-cocoon-receipt')).toMatch(/^[A-Za-z0-9+/=]+$/);
        const pages = /^Status pages: proxy (\S+) worker (\S+) client (\S+)$/m.exec(out);
        expect(pages).not.toBeNull();
        for (const [i, role] of ['proxy', 'worker', 'client'].entries()) {
            const page = await fetch(pages![i + 1]);
            expect(page.status).toBe(200);
            expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
            expect(await page.text()).toContain(`<h1>COCOON ${role}</h1>`);
        }

        child.kill('SIGINT');
        expect(await exited).toBe(0);
        expect(out).toContain('SIGINT: stopping the network…');
        expect(err).toBe('');
    }, 180_000);
});
