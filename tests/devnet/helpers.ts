import { TonClient } from '@ton/ton';
import { ChildProcess, spawn } from 'child_process';
import path from 'path';
import { ChainClient } from '../../offchain/chain/client';
import { Devnet, DevnetOptions } from '../../offchain/devnet';

/** Starts a devnet on a free port; the log lines are kept for assertions. */
export async function startTestDevnet(opts: Partial<DevnetOptions> = {}): Promise<{ devnet: Devnet; client: TonClient; chain: ChainClient; logs: string[] }> {
    const logs: string[] = [];
    const devnet = await Devnet.start({ port: 0, log: (l) => logs.push(l), ...opts });
    return { devnet, client: new TonClient({ endpoint: devnet.endpoint }), chain: new ChainClient(devnet.endpoint), logs };
}

/** POSTs/GETs raw JSON to the devnet and returns status and parsed body. */
export async function rawCall(url: string, init?: { method?: string; body?: string }): Promise<{ status: number; body: any }> {
    const res = await fetch(url, { method: init?.method ?? 'GET', headers: { 'Content-Type': 'application/json' }, body: init?.body });
    return { status: res.status, body: await res.json() };
}

/** The devnet's own view (`GET /healthz`): chain time, block counter, number of transactions. */
export async function health(devnet: Devnet): Promise<{ now: number; block_seqno: number; transactions: number }> {
    return (await rawCall(`${devnet.baseUrl}/healthz`)).body.result;
}

const ROOT = path.join(__dirname, '..', '..');

/** Starts `cocoon devnet` as a child process and resolves with its endpoint once it prints the ready line. */
export function startCli(args: string[]): Promise<{ child: ChildProcess; endpoint: string; output: () => string }> {
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
