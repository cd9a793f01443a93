import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import { Address, beginCell, Cell, toNano } from '@ton/core';
import Database from 'better-sqlite3';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import { ChainClient } from '../../offchain/chain/client';
import { readClientContract, readProxyContract, readWorkerContract } from '../../offchain/chain/cocoon/contracts';
import { devnetKey, devnetSeed } from '../../offchain/chain/cocoon/keys';
import { RegistryReader } from '../../offchain/chain/cocoon/registry';
import { requestFaucet } from '../../offchain/chain/faucet';
import { LOCAL_PRICES } from '../../offchain/cli/up/network';
import type { Devnet } from '../../offchain/devnet';
import { TestEngine } from '../../offchain/engine';
import { deployLocalRoot } from '../../offchain/localnet';
import type { Receipt } from '../../offchain/protocol';
import { FAKE_IMAGE_HASH } from '../../offchain/ratls';
import { clientAddress, proxyAddress, workerAddress } from '../../wrappers/addresses';
import { walletFromInit } from '../../wrappers/wallet';
import { BIN } from '../cli/run';
import { startTestDevnet } from '../devnet/helpers';

export const MODEL = 'test-model@faults:0badc0de';
export const ADMIN_TOKEN = 'fault-suite-admin-token';
const CLIENT_SECRET = 'fault-suite-client-secret';

/** A free TCP port on 127.0.0.1 (services restart on the same ports, so peers find them again). */
export async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined/false. */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 30_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
        const v = await check();
        if (v !== undefined && v !== false) return v as T;
        if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
        await sleep(100);
    }
}

/**
 * A TCP forwarder between the services and the devnet: closing it makes the chain unreachable (connections refused,
 * open ones cut) without touching the devnet; opening it again on the same port brings the chain back.
 */
export class ChainGate {
    private server: net.Server | null = null;
    private readonly sockets = new Set<net.Socket>();

    constructor(
        readonly port: number,
        private readonly target: number,
    ) {}

    get url(): string {
        return `http://127.0.0.1:${this.port}/api/v2/jsonRPC`;
    }

    async open(): Promise<void> {
        const server = net.createServer((inbound) => {
            const outbound = net.connect(this.target, '127.0.0.1');
            for (const s of [inbound, outbound]) {
                this.sockets.add(s);
                s.on('close', () => this.sockets.delete(s));
                s.on('error', () => undefined);
            }
            inbound.pipe(outbound).pipe(inbound);
        });
        await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
        this.server = server;
    }

    async close(): Promise<void> {
        const server = this.server;
        this.server = null;
        if (!server) return;
        const closed = new Promise((resolve) => server.close(resolve));
        for (const s of this.sockets) s.destroy();
        await closed;
    }
}

/** One service run as an operator runs it: `node bin/cocoon.js <role> --config F`, its JSON log lines kept. */
export class Service {
    /** Log lines of every run of this service, in order (a restart appends). */
    readonly logs: string[] = [];
    child: ChildProcessWithoutNullStreams | null = null;
    /** The exit code, or the signal's name when a signal ended it. */
    exited: Promise<number | string | null> = Promise.resolve(null);
    /** Index in `logs` where the current run began. */
    runStart = 0;

    constructor(
        readonly role: 'proxy' | 'worker' | 'client',
        readonly name: string,
        readonly config: string,
        /** Its secrets, as the operator's environment holds them. */
        readonly environment: NodeJS.ProcessEnv,
        /** Node's own options (e.g. --cpu-prof). */
        readonly nodeArgs: string[] = [],
    ) {}

    start(): void {
        this.runStart = this.logs.length;
        const child = spawn(process.execPath, [...this.nodeArgs, BIN, this.role, '--config', this.config], { env: { ...process.env, ...this.environment } });
        let buffer = '';
        child.stderr.on('data', (d: Buffer) => {
            buffer += d.toString();
            const lines = buffer.split('\n');
            buffer = lines.pop()!;
            this.logs.push(...lines.filter((l) => l.length > 0));
        });
        child.stdout.resume();
        this.child = child;
        this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
    }

    /** Kills the process and waits for it to be gone (SIGKILL: no shutdown code runs). */
    async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | string | null> {
        if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return null;
        this.child.kill(signal);
        return this.exited;
    }

    get alive(): boolean {
        return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
    }

    /** Parsed log lines of the current run (or from log index `from` on) whose msg contains `msg`. */
    lines(msg: string, from = this.runStart): Record<string, any>[] {
        return this.logs
            .slice(from)
            .filter((l) => l.includes(msg))
            .map((l) => {
                try {
                    return JSON.parse(l) as Record<string, any>;
                } catch {
                    return { msg: l };
                }
            })
            .filter((l) => String(l.msg).includes(msg));
    }

    /** The first line of the current run (or from log index `from` on) whose msg contains `msg`, waiting for it. */
    async logged(msg: string, ms = 60_000, from = this.runStart): Promise<Record<string, any>> {
        return until(`${this.name}: log "${msg}"`, () => this.lines(msg, from)[0] ?? (this.alive ? undefined : Promise.reject(this.died())), ms).catch((e) => {
            throw new Error(`${(e as Error).message}\n${this.name} logs:\n${this.logs.slice(this.runStart).slice(-40).join('\n')}`);
        });
    }

    private died(): Error {
        return new Error(`${this.name} exited (${this.child?.exitCode ?? this.child?.signalCode})`);
    }
}

export interface FaultNetOptions {
    /** Prefix of every key name (each spec file its own). */
    name: string;
    workers?: number;
    /** Proxy config fields over the suite's short intervals. */
    proxy?: Record<string, unknown>;
    /** Worker config fields (all workers). */
    worker?: Record<string, unknown>;
    client?: Record<string, unknown>;
    /** TON the proxy's wallet gets from the faucet (default 30). */
    proxyWalletTon?: string;
    engineTokenDelayMs?: number;
    /** Node options of every service process (e.g. --cpu-prof). */
    nodeArgs?: string[];
    /** How often the proxy and the client poll the chain (default 100 ms: the suite waits on chain events). */
    chainPollMs?: number;
}

/**
 * The network of a fault test: an in-process devnet behind a ChainGate, the root deployed for the fake-TDX image and
 * the test model, one in-process TestEngine per worker (their behaviour set by the test), and the proxy, the workers
 * and the client as child processes on fixed ports, each restartable. `books()` settles and reads what the chain and
 * the client's receipts say.
 */
export class FaultNet {
    private constructor(
        readonly dir: string,
        readonly devnet: Devnet,
        readonly chain: ChainClient,
        readonly gate: ChainGate,
        readonly root: Address,
        readonly engines: TestEngine[],
        readonly proxy: Service,
        readonly workers: Service[],
        readonly client: Service,
        readonly ports: { proxyWorkers: number; proxyClients: number; proxyOps: number; clientHttp: number },
        readonly contracts: { proxy: Address; proxyWallet: Address; client: Address; workers: Address[]; owner: Address },
        readonly clientDb: string,
    ) {}

    static async start(o: FaultNetOptions): Promise<FaultNet> {
        const { devnet } = await startTestDevnet();
        const chain = new ChainClient(devnet.endpoint);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cocoon-faults-${o.name}-`));
        const gate = new ChainGate(await freePort(), devnet.port);
        await gate.open();
        const root = await deployLocalRoot(chain, devnet.endpoint, {
            ownerName: `${o.name}-root`,
            params: LOCAL_PRICES,
            proxyHashes: [BigInt('0x' + FAKE_IMAGE_HASH)],
            workerHashes: [BigInt('0x' + FAKE_IMAGE_HASH)],
            models: [MODEL],
        });
        root.sender.stop();
        const params = (await new RegistryReader(chain, root.address).get()).params;
        const n = o.workers ?? 1;
        const roles = ['proxy', 'client', ...Array.from({ length: n }, (_, i) => `worker${i}`)];
        const wallets: Record<string, { seed: string; address: Address; publicKey: Buffer }> = {};
        for (const role of roles) {
            const key = devnetKey(`${o.name}-${role}`);
            const address = (await walletFromInit(key.publicKey, root.owner)).address;
            wallets[role] = { seed: devnetSeed(`${o.name}-${role}`).toString('hex'), address, publicKey: key.publicKey };
            await requestFaucet(devnet.endpoint, address, toNano(role === 'proxy' ? (o.proxyWalletTon ?? '30') : '20'));
        }
        const ports = { proxyWorkers: await freePort(), proxyClients: await freePort(), proxyOps: await freePort(), clientHttp: await freePort() };
        const common = { root: root.address.toString(), chain: { endpoints: [{ url: gate.url }] } };
        const write = (name: string, config: object) => {
            const file = path.join(dir, `${name}.json`);
            fs.writeFileSync(file, JSON.stringify(config, null, 2));
            return file;
        };
        const wallet = (role: string) => ({ seed: `env:COCOON_${role.startsWith('worker') ? 'WORKER' : role.toUpperCase()}_SEED`, owner: root.owner.toString() });
        const proxyFile = write('proxy', {
            ...common,
            chain: { ...common.chain, pollMs: o.chainPollMs ?? 100 },
            wallet: wallet('proxy'),
            listen: { workers: { port: ports.proxyWorkers }, clients: { port: ports.proxyClients } },
            ops: { port: ports.proxyOps },
            database: path.join(dir, 'proxy.db'),
            tdx: { provider: 'fake', peerProvider: 'fake' },
            saveStateSeconds: 1,
            commitMs: 200,
            ...o.proxy,
        });
        const proxy = new Service('proxy', 'proxy', proxyFile, { COCOON_PROXY_SEED: wallets.proxy.seed, COCOON_PROXY_ADMIN_TOKEN: ADMIN_TOKEN }, o.nodeArgs);
        const engines: TestEngine[] = [];
        const workers: Service[] = [];
        for (let i = 0; i < n; i++) {
            const engine = await TestEngine.start({ model: 'test-model', tokenDelayMs: o.engineTokenDelayMs ?? 0 });
            engines.push(engine);
            const file = write(`worker${i}`, {
                ...common,
                wallet: wallet(`worker${i}`),
                model: MODEL,
                engineUrl: engine.url,
                tdx: { provider: 'fake', peerProvider: 'fake' },
                ops: { port: 0 },
                proxies: [`127.0.0.1:${ports.proxyWorkers}`],
                database: path.join(dir, `worker${i}.db`),
                ...o.worker,
            });
            workers.push(new Service('worker', `worker${i}`, file, { COCOON_WORKER_SEED: wallets[`worker${i}`].seed }, o.nodeArgs));
        }
        const clientDb = path.join(dir, 'client.db');
        const clientFile = write('client', {
            ...common,
            chain: { ...common.chain, pollMs: o.chainPollMs ?? 100 },
            wallet: wallet('client'),
            secret: 'env:COCOON_CLIENT_SECRET',
            tdx: { peerProvider: 'fake' },
            database: clientDb,
            proxies: [`127.0.0.1:${ports.proxyClients}`],
            http: { port: ports.clientHttp, adminToken: ADMIN_TOKEN },
            ...o.client,
        });
        const client = new Service('client', 'client', clientFile, { COCOON_CLIENT_SEED: wallets.client.seed, COCOON_CLIENT_SECRET: CLIENT_SECRET }, o.nodeArgs);
        const proxyContract = proxyAddress({ owner: root.owner, proxyPublicKey: wallets.proxy.publicKey, root: root.address, params });
        const member = { proxyAddress: proxyContract, proxyPublicKey: wallets.proxy.publicKey, params };
        const contracts = {
            proxy: proxyContract,
            proxyWallet: wallets.proxy.address,
            client: clientAddress({ owner: wallets.client.address, ...member }),
            workers: workers.map((_, i) => workerAddress({ owner: wallets[`worker${i}`].address, ...member })),
            /** The human owner of every service wallet. */
            owner: root.owner,
        };
        const net = new FaultNet(dir, devnet, chain, gate, root.address, engines, proxy, workers, client, ports, contracts, clientDb);
        await net.startProxy();
        for (const w of workers) await net.startWorker(w);
        await net.startClient();
        return net;
    }

    get api(): string {
        return `http://127.0.0.1:${this.ports.clientHttp}`;
    }

    get ops(): string {
        return `http://127.0.0.1:${this.ports.proxyOps}`;
    }

    async startProxy(): Promise<void> {
        this.proxy.start();
        await this.proxy.logged('proxy serving', 90_000);
    }

    async startWorker(w: Service): Promise<void> {
        w.start();
        await w.logged('proxy session ready', 90_000);
    }

    async startClient(): Promise<void> {
        this.client.start();
        await this.client.logged('client API listening', 90_000);
        await until('client connected', async () => (await fetch(`${this.api}/healthz`).catch(() => null))?.status === 200, 90_000);
    }

    /** The proxy's GET /status. */
    async proxyStatus(): Promise<any> {
        return (await fetch(`${this.ops}/status`)).json();
    }

    /** POST /admin/settle on the proxy: everything committed, confirmed on-chain, charged and paid. */
    async settle(): Promise<{ status: number; body: any }> {
        const res = await fetch(`${this.ops}/admin/settle`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        return { status: res.status, body: await res.json() };
    }

    /** The receipts the client kept in its database, in order. */
    receipts(): Receipt[] {
        const db = new Database(this.clientDb, { readonly: true, fileMustExist: true });
        try {
            return (db.prepare('SELECT receipt FROM receipts ORDER BY rowid').all() as { receipt: string }[]).map((r) => JSON.parse(r.receipt) as Receipt);
        } finally {
            db.close();
        }
    }

    /** What the contracts hold now: the client's charged tokens and balance, each worker's paid tokens, the proxy's balance. */
    async onChain(): Promise<{ clientTokens: bigint; clientBalance: bigint; workerTokens: bigint[]; proxyBalance: bigint }> {
        const c = await readClientContract(this.chain, this.contracts.client);
        const workers = await Promise.all(this.contracts.workers.map((w) => readWorkerContract(this.chain, w).then((s) => s.tokens, () => 0n)));
        return { clientTokens: c.tokensUsed, clientBalance: c.balance, workerTokens: workers, proxyBalance: (await readProxyContract(this.chain, this.contracts.proxy)).balance };
    }

    /** The proxy's outbox table as stored (readable while the proxy runs: WAL). */
    proxyOutbox(): { id: number; intent: string; dest: string; body: string | null; state: string; outcome: string | null }[] {
        const db = new Database(path.join(this.dir, 'proxy.db'), { readonly: true, fileMustExist: true });
        try {
            return db.prepare('SELECT id, intent, dest, body, state, outcome FROM outbox_intents ORDER BY id').all() as never;
        } finally {
            db.close();
        }
    }

    /**
     * Every message the proxy's wallet sent on-chain, as `dest:bodyHash` → how many times: the outbox's promise is that
     * each intent appears exactly once and nothing else does.
     */
    async proxyWalletSends(): Promise<Map<string, number>> {
        const sends = new Map<string, number>();
        for await (const page of this.chain.pagesSince(this.contracts.proxyWallet)) {
            for (const tx of page) {
                for (const m of tx.outMessages.values()) {
                    if (m.info.type !== 'internal') continue;
                    const key = `${m.info.dest.toRawString()}:${m.body.hash().toString('hex')}`;
                    sends.set(key, (sends.get(key) ?? 0) + 1);
                }
            }
        }
        return sends;
    }

    async stop(): Promise<void> {
        for (const s of [this.client, ...this.workers, this.proxy]) await s.kill('SIGKILL');
        for (const e of this.engines) await e.stop();
        await this.gate.close();
        await this.devnet.stop();
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** Sum of receipts' tokens, per worker contract (raw address) and in all. */
export function receiptTotals(receipts: Receipt[]): { total: bigint; byWorker: Map<string, bigint> } {
    const byWorker = new Map<string, bigint>();
    let total = 0n;
    for (const r of receipts) {
        total += BigInt(r.tokens.total);
        byWorker.set(r.workerContract, (byWorker.get(r.workerContract) ?? 0n) + BigInt(r.tokens.total));
    }
    return { total, byWorker };
}

/**
 * The books after settling: the client contract was charged exactly the receipts' tokens (its balance down by their
 * price to the nanoTON), each worker contract paid exactly its receipts' tokens, the proxy contract kept the
 * difference; `before` is onChain() taken once the network was up. Returns the total for the test's own checks.
 */
export async function expectBooksBalance(n: FaultNet, before: Awaited<ReturnType<FaultNet['onChain']>>): Promise<bigint> {
    const settled = await n.settle();
    expect(settled.status).toBe(200);
    const { total, byWorker } = receiptTotals(n.receipts());
    const after = await n.onChain();
    expect(after.clientTokens - before.clientTokens).toBe(total);
    expect(before.clientBalance - after.clientBalance).toBe(total * LOCAL_PRICES.pricePerToken);
    expect(after.workerTokens.map((t, i) => t - before.workerTokens[i])).toEqual(n.contracts.workers.map((w) => byWorker.get(w.toRawString()) ?? 0n));
    expect(after.proxyBalance - before.proxyBalance).toBe(total * (LOCAL_PRICES.pricePerToken - LOCAL_PRICES.workerFeePerToken));
    return total;
}

/** POST /v1/chat/completions on the client's OpenAI API with one user message. */
export function postChat(api: string, content: string, maxTokens: number, stream = false): Promise<Response> {
    return fetch(`${api}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content }], max_tokens: maxTokens, ...(stream ? { stream } : {}) }),
    });
}

/** A streamed chat through the client's OpenAI API: the raw SSE text and the HTTP status. */
export async function streamChat(api: string, content: string, maxTokens: number): Promise<{ status: number; text: string }> {
    const res = await postChat(api, content, maxTokens, true);
    return { status: res.status, text: await res.text() };
}

/** Generated words in an SSE text (one content delta per token). */
export function streamedTokens(sse: string): number {
    let n = 0;
    // the last piece may be a line still arriving
    for (const line of sse.split('\n').slice(0, -1)) {
        if (!line.startsWith('data: {')) continue;
        const event = JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[] };
        if (event.choices?.[0]?.delta?.content) n++;
    }
    return n;
}

/** A stream being read: its SSE text so far, and `ended` (the whole text, or the error that cut it). */
export interface OpenStream {
    text(): string;
    /** Resolves once `n` tokens have arrived. */
    tokens(n: number): Promise<void>;
    ended: Promise<{ text: string; error: Error | null }>;
}

export async function openStream(api: string, content: string, maxTokens: number): Promise<OpenStream> {
    const res = await postChat(api, content, maxTokens, true);
    if (res.status !== 200) throw new Error(`stream answered ${res.status}: ${await res.text()}`);
    let text = '';
    const decoder = new TextDecoder();
    const ended = (async () => {
        try {
            for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
            return { text, error: null };
        } catch (e) {
            return { text, error: e as Error };
        }
    })();
    return {
        text: () => text,
        tokens: (n) => until(`${n} streamed tokens`, () => streamedTokens(text) >= n).then(() => undefined),
        ended,
    };
}

/**
 * The proxy's outbox kept its promise: once nothing is pending, every intent is confirmed and delivered, and the
 * proxy wallet's transactions on-chain sent each intent's message exactly once and no other message (but those its
 * owner ordered, to `ownerOrdered`). Returns the intents.
 */
export async function expectOutboxSentOnce(n: FaultNet, ownerOrdered: Address[] = []): Promise<string[]> {
    await until('proxy outbox drained', async () => (await n.proxyStatus()).outboxPending === 0, 60_000);
    const rows = n.proxyOutbox();
    expect(rows.filter((r) => r.state !== 'confirmed' || r.outcome !== 'delivered').map((r) => [r.intent, r.state, r.outcome])).toEqual([]);
    const sends = await n.proxyWalletSends();
    for (const key of [...sends.keys()]) if (ownerOrdered.some((a) => key.startsWith(`${a.toRawString()}:`))) sends.delete(key);
    const expected = new Map<string, number>();
    for (const r of rows) {
        const key = `${Address.parse(r.dest).toRawString()}:${(r.body ? Cell.fromBase64(r.body) : beginCell().endCell()).hash().toString('hex')}`;
        expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    expect(sends).toEqual(expected);
    return rows.map((r) => r.intent);
}
