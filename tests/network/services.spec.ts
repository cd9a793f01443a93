import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import { toNano } from '@ton/core';
import fs from 'fs';
import OpenAI from 'openai';
import os from 'os';
import path from 'path';
import { ChainClient } from '../../offchain/chain/client';
import { devnetKey, devnetSeed } from '../../offchain/chain/cocoon/keys';
import { requestFaucet } from '../../offchain/chain/faucet';
import type { Devnet } from '../../offchain/devnet';
import { TestEngine } from '../../offchain/engine';
import { deployLocalRoot } from '../../offchain/localnet';
import { FAKE_IMAGE_HASH } from '../../offchain/ratls';
import { walletFromInit } from '../../wrappers/wallet';
import { startTestDevnet } from '../devnet/helpers';
import { BIN } from '../cli/run';

const MODEL = 'test-model@svc:0badc0de';

interface Service {
    child: ChildProcessWithoutNullStreams;
    stderr: string[];
    exited: Promise<number | null>;
}

/** `cocoon <role> --config F` as an operator runs it: a child process, secrets in the environment. */
function run(role: string, config: string, env: NodeJS.ProcessEnv): Service {
    const child = spawn(process.execPath, [BIN, role, '--config', config], { env: { ...process.env, ...env } });
    const stderr: string[] = [];
    let buffer = '';
    child.stderr.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        stderr.push(...lines);
    });
    child.stdout.resume();
    return { child, stderr, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

/** The first JSON log line of `s` with message `msg` (servers listen on port 0 and log where they are). */
async function logged(s: Service, msg: string, ms = 60_000): Promise<Record<string, any>> {
    const end = Date.now() + ms;
    for (;;) {
        const line = s.stderr.find((l) => l.includes(`"msg":"${msg}"`));
        if (line) return JSON.parse(line);
        if (Date.now() > end) throw new Error(`no "${msg}" within ${ms} ms; logs:\n${s.stderr.join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
    }
}

async function healthy(url: string): Promise<void> {
    const res = await fetch(url);
    expect(res.status).toBe(200);
}

/**
 * The three services started as operators start them (`cocoon proxy|worker|client --config F`), each from its own
 * config file with its seed in the environment, serving a request together; SIGTERM stops each cleanly.
 */
describe('cocoon proxy, worker and client as processes', () => {
    let devnet: Devnet;
    let engine: TestEngine;
    let dir: string;
    const services: Service[] = [];

    beforeAll(async () => {
        ({ devnet } = await startTestDevnet());
        engine = await TestEngine.start({ model: 'test-model' });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cocoon-services-'));
    });
    afterAll(async () => {
        for (const s of services) s.child.kill('SIGKILL');
        await engine.stop();
        await devnet.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it('serve a request and stop cleanly on SIGTERM', async () => {
        const root = await deployLocalRoot(new ChainClient(devnet.endpoint), devnet.endpoint, {
            ownerName: 'services-root',
            proxyHashes: [BigInt('0x' + FAKE_IMAGE_HASH)],
            workerHashes: [BigInt('0x' + FAKE_IMAGE_HASH)],
            models: [MODEL],
        });
        root.sender.stop();
        const owner = (await walletFromInit(devnetKey('services-owner').publicKey, root.owner)).address.toString();
        const seeds: Record<string, string> = {};
        for (const role of ['proxy', 'worker', 'client']) {
            seeds[role] = devnetSeed(`services-${role}`).toString('hex');
            const wallet = await walletFromInit(devnetKey(`services-${role}`).publicKey, root.owner);
            await requestFaucet(devnet.endpoint, wallet.address, toNano('20'));
        }
        const common = { root: root.address.toString(), chain: { endpoints: [{ url: devnet.endpoint }] } };
        const write = (name: string, config: object) => {
            const file = path.join(dir, `${name}.json`);
            fs.writeFileSync(file, JSON.stringify(config, null, 2));
            return file;
        };
        const proxyFile = write('proxy', {
            ...common,
            wallet: { seed: 'env:COCOON_PROXY_SEED', owner: root.owner.toString() },
            owner,
            listen: { workers: { port: 0 }, clients: { port: 0 } },
            ops: { port: 0 },
            database: path.join(dir, 'proxy.db'),
            tdx: { provider: 'fake', peerProvider: 'fake' },
            saveStateSeconds: 2,
        });
        const proxy = run('proxy', proxyFile, { COCOON_PROXY_SEED: seeds.proxy });
        services.push(proxy);
        const ports = (await logged(proxy, 'proxy serving')) as { workers: number; clients: number; ops: number };
        await healthy(`http://127.0.0.1:${ports.ops}/healthz`);
        const workerFile = write('worker', {
            ...common,
            wallet: { seed: 'env:COCOON_WORKER_SEED', owner: root.owner.toString() },
            model: MODEL,
            engineUrl: engine.url,
            tdx: { provider: 'fake', peerProvider: 'fake' },
            ops: { port: 0 },
            proxies: [`127.0.0.1:${ports.workers}`],
            database: path.join(dir, 'worker.db'),
        });
        const clientFile = write('client', {
            ...common,
            wallet: { seed: 'env:COCOON_CLIENT_SEED', owner: root.owner.toString() },
            secret: 'env:COCOON_CLIENT_SECRET',
            tdx: { peerProvider: 'fake' },
            database: path.join(dir, 'client.db'),
            proxies: [`127.0.0.1:${ports.clients}`],
            http: { port: 0 },
        });

        const worker = run('worker', workerFile, { COCOON_WORKER_SEED: seeds.worker });
        services.push(worker);
        const workerOps = (await logged(worker, 'ops server listening')).url as string;
        await logged(worker, 'proxy session ready');
        const client = run('client', clientFile, { COCOON_CLIENT_SEED: seeds.client, COCOON_CLIENT_SECRET: 'a-secret-for-this-test' });
        services.push(client);
        const api = (await logged(client, 'client API listening')).url as string;
        await healthy(`${api}/healthz`);
        await healthy(`${workerOps}/healthz`);

        const openai = new OpenAI({ baseURL: `${api}/v1`, apiKey: 'unused', maxRetries: 0 });
        const r = await openai.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'from three processes' }], max_tokens: 4 });
        expect(r.choices[0].message.content!.split(' ')).toHaveLength(4);
        expect(r.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4 });

        for (const s of [client, worker, proxy]) {
            s.child.kill('SIGTERM');
            expect(await s.exited).toBe(0);
        }
        for (const s of [proxy, worker, client]) {
            const lines = s.stderr.filter((l) => l.length > 0);
            expect(lines.length).toBeGreaterThan(3);
            for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
            expect(lines.join('\n')).not.toContain(seeds.proxy);
            expect(lines.join('\n')).not.toContain(seeds.worker);
            expect(lines.join('\n')).not.toContain(seeds.client);
            expect(lines.some((l) => JSON.parse(l).msg === 'shutting down')).toBe(true);
        }
    }, 150_000);
});
