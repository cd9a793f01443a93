// The devnet through its HTTP API (`cocoon devnet --quiet` as its own process, driven as clients drive it) against
// raw `@ton/sandbox` in this process, the same phases on both in the same run: wallet transfers, the client-charge
// flow and get-method latency. Then the store: a message chain's cost with a long history against an empty one,
// and the whole-state JSON rewrite that the devnet did before the store, for the same history.
import { Address, Cell, contractAddress, internal, MessageRelaxed, SendMode, StateInit, toNano } from '@ton/core';
import { KeyPair, keyPairFromSeed } from '@ton/crypto';
import { Blockchain } from '@ton/sandbox';
import { TonClient, WalletContractV4 } from '@ton/ton';
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import { ChainClient } from '../../../offchain/chain/client';
import { requestFaucet } from '../../../offchain/chain/faucet';
import { Devnet } from '../../../offchain/devnet';
import { devnetParams } from '../../../offchain/devnet/cocoonDefaults';
import { clientStateInit, proxyStateInit } from '../../../wrappers/addresses';
import { clientMessages, CocoonClient, readClientState } from '../../../wrappers/client';
import { rootFromInit } from '../../../wrappers/root';
import { signEnvelope } from '../../../wrappers/signing';
import { percentile } from './percentile';
import { rateAsync } from './rate';
import { BenchOptions, BenchSection, markdownTable, Target } from './section';

const key = (name: string): KeyPair => keyPairFromSeed(createHash('sha256').update(`bench-devnet:${name}`).digest());

/** A funded wallet sending transfers. */
interface Sender {
    address: Address;
    send(to: Address, value: bigint, body?: Cell, init?: StateInit): Promise<void>;
}

/** One of the two chains under test, behind the same operations. */
interface Net {
    wallet(name: string): Promise<Sender>;
    /** A wallet's `seqno` getter, as a client reads it. */
    seqno(address: Address): Promise<void>;
    clientTokens(address: Address): Promise<bigint>;
    stop(): Promise<void>;
}

/** A V4 wallet opened on either chain, sending one transfer per external message at the seqno it counts itself. */
function sender(wallet: { address: Address; sendTransfer(args: { seqno: number; secretKey: Buffer; sendMode: SendMode; messages: MessageRelaxed[] }): Promise<unknown> }, k: KeyPair): Sender {
    let seqno = 0;
    return {
        address: wallet.address,
        send: async (to, value, body, init) => {
            await wallet.sendTransfer({ seqno: seqno++, secretKey: k.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [internal({ to, value, body, init, bounce: false })] });
        },
    };
}

async function rawSandbox(): Promise<Net> {
    const chain = await Blockchain.create();
    const treasury = await chain.treasury('bench');
    return {
        async wallet(name) {
            const k = key(name);
            const w = chain.openContract(WalletContractV4.create({ workchain: 0, publicKey: k.publicKey }));
            await treasury.send({ to: w.address, value: toNano('10000'), bounce: false });
            return sender(w, k);
        },
        seqno: async (address) => void (await chain.runGetMethod(address, 'seqno')),
        clientTokens: async (address) => (await readClientState(chain.openContract(CocoonClient.fromAddress(address)))).tokensUsed,
        stop: async () => undefined,
    };
}

/** `cocoon devnet --quiet` as a child process on a free port, driven with TonClient and ChainClient. */
async function devnetProcess(): Promise<Net> {
    const child = spawn(process.execPath, [path.join(__dirname, '../../../bin/cocoon.js'), 'devnet', '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const endpoint = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
            out += d;
            const m = /Devnet API: (\S+)/.exec(out);
            if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`cocoon devnet exited with ${code}`)));
    });
    const client = new TonClient({ endpoint });
    const chain = new ChainClient(endpoint);
    return {
        async wallet(name) {
            const k = key(name);
            const w = client.open(WalletContractV4.create({ workchain: 0, publicKey: k.publicKey }));
            await requestFaucet(endpoint, w.address, toNano('10000'));
            return sender(w, k);
        },
        seqno: async (address) => void (await client.runMethod(address, 'seqno')),
        clientTokens: async (address) => (await readClientState(chain.open(CocoonClient.fromAddress(address)))).tokensUsed,
        stop: async () => {
            child.kill('SIGTERM');
            await exited;
        },
    };
}

/** p50 and p99 of `n` sequential calls, in milliseconds. */
async function latency(n: number, call: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
        const t = performance.now();
        await call();
        ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99) };
}

interface NetFigures {
    transfers: number;
    charges: number;
    seqno: { p50: number; p99: number };
}

/** Wallets sending transfers in parallel, and client contracts charged in parallel (a smoke run takes fewer). */
const lanes = (smoke: boolean) => ({ wallets: smoke ? 2 : 16, clients: smoke ? 1 : 8 });

/** Deploys what the phases use on one chain; each phase then runs for the seconds it is given. */
async function prepare(net: Net, smoke: boolean, log: (l: string) => void) {
    const senders = await Promise.all(Array.from({ length: lanes(smoke).wallets }, (_, i) => net.wallet(`transfer-${i}`)));
    for (const s of senders) await s.send(s.address, 1n); // deploy each wallet first
    const owner = await net.wallet('owner');
    const p = devnetParams({ pricePerToken: 1000n, workerFeePerToken: 100n });
    const root = await rootFromInit(owner.address, p);
    await owner.send(root.address, toNano('1'), undefined, root.init!);
    const proxyKey = key('proxy');
    const proxyInit = proxyStateInit({ owner: owner.address, proxyPublicKey: proxyKey.publicKey, root: root.address, params: p });
    const proxy = contractAddress(0, proxyInit);
    await owner.send(proxy, toNano('1'), undefined, proxyInit);
    const clients = await Promise.all(
        Array.from({ length: lanes(smoke).clients }, async (_, i) => {
            const payer = await net.wallet(`client-${i}`);
            const init = clientStateInit({ owner: payer.address, proxyAddress: proxy, proxyPublicKey: proxyKey.publicKey, params: p });
            const address = contractAddress(0, init);
            await payer.send(address, toNano('1'), undefined, init);
            await payer.send(address, toNano('1000.2'), clientMessages.topUp(1n, toNano('1000'), payer.address));
            return { payer, address, tokens: 0n, queryId: 0n };
        }),
    );
    log('devnet bench: wallets, a root, a proxy and client contracts deployed');
    const target = Address.parse('0:' + '77'.repeat(32));
    return {
        transfers: async (seconds: number) => (await rateAsync(seconds, senders.length, (lane) => senders[lane].send(target, 1000n))).perSecond,
        charges: async (seconds: number) =>
            (
                await rateAsync(seconds, clients.length, async (lane) => {
                    const c = clients[lane];
                    c.tokens += 10n;
                    const body = signEnvelope({ kind: 'charge', queryId: ++c.queryId, newTokens: c.tokens, expectedMyAddress: c.address }, proxyKey.secretKey, c.payer.address);
                    await c.payer.send(c.address, toNano('0.2'), body);
                })
            ).perSecond,
        seqno: (n: number) => latency(n, () => net.seqno(senders[0].address)),
        /** Every charge was applied: the bench measured the flow, not failures. */
        check: async () => {
            for (const c of clients) {
                const used = await net.clientTokens(c.address);
                if (used !== c.tokens) throw new Error(`client ${c.address.toString()} charged ${used} tokens, expected ${c.tokens}`);
            }
        },
    };
}

/** Both chains, phase by phase, alternating in rounds so that drift in the machine's load hits both alike. */
async function compareNets(o: BenchOptions): Promise<{ raw: NetFigures; devnet: NetFigures }> {
    const seconds = o.smoke ? 0.2 : 2;
    const rounds = o.smoke ? 1 : 3;
    const calls = o.smoke ? 5 : 300;
    const nets = { raw: await rawSandbox(), devnet: await devnetProcess() };
    try {
        const phases = { raw: await prepare(nets.raw, o.smoke, o.log), devnet: await prepare(nets.devnet, o.smoke, o.log) };
        const figures = { raw: { transfers: 0, charges: 0, seqno: { p50: 0, p99: 0 } }, devnet: { transfers: 0, charges: 0, seqno: { p50: 0, p99: 0 } } };
        for (let r = 0; r < rounds; r++) {
            for (const side of ['raw', 'devnet'] as const) {
                figures[side].transfers += (await phases[side].transfers(seconds)) / rounds;
                figures[side].charges += (await phases[side].charges(seconds)) / rounds;
                o.log(`devnet bench: round ${r + 1} ${side}: ${figures[side].transfers.toFixed(0)} transfers/s, ${figures[side].charges.toFixed(0)} charges/s so far`);
            }
        }
        for (const side of ['raw', 'devnet'] as const) {
            await phases[side].check();
            figures[side].seqno = await phases[side].seqno(calls);
        }
        return figures;
    } finally {
        await nets.devnet.stop();
    }
}

interface StoreFigures {
    history: number;
    /** Milliseconds per faucet transfer (one message chain, one commit), with an empty history and a long one. */
    emptyMs: number;
    longMs: number;
    /** The longest event-loop stall while transfers ran on the long history, milliseconds. */
    stallMs: number;
    /** What a save cost before the store: the whole chain as JSON, rewritten (it blocked the event loop as long). */
    jsonSaveMs: number;
    restartMs: number;
}

/**
 * The store with a long history: real transfers give real transactions, copied (with fresh lts, 100 per commit as
 * busy message chains would write them) to reach `history`; then transfers through the ledger measure a commit's
 * cost against the same on an empty store.
 */
async function measureStore(o: BenchOptions): Promise<StoreFigures> {
    const history = o.smoke ? 500 : 100_000;
    const transfers = o.smoke ? 5 : 300;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-devnet-store-'));
    const statePath = path.join(dir, 'chain.db');
    try {
        const devnet = await Devnet.start({ port: 0, statePath });
        const ledger = devnet.ledger;
        const targets = Array.from({ length: o.smoke ? 5 : 100 }, (_, i) => Address.parse(`0:${createHash('sha256').update(`store-${i}`).digest('hex')}`));
        // A turn of the event loop between transfers, as between HTTP requests: a stall is then one message chain.
        const faucetMs = async () => {
            let busy = 0;
            for (let i = 0; i < transfers; i++) {
                const t = performance.now();
                await ledger.faucet(targets[i % targets.length], 1000n);
                busy += performance.now() - t;
                await new Promise((resolve) => setImmediate(resolve));
            }
            return busy / transfers;
        };
        await faucetMs(); // warm-up: the first transfers also compile and fill caches
        const emptyMs = await faucetMs();
        const samples = (await Promise.all(targets.map((a) => ledger.store.list(a, { limit: 1 })))).flat();
        const copies = [];
        let lt = 1n << 40n;
        for (let i = ledger.store.size; i < history; i++) {
            const r = samples[i % samples.length];
            copies.push({ ...r, lt: lt++ });
            if (copies.length === 100 || i === history - 1) ledger.store.commit({ records: copies.splice(0), accounts: [], clock: { lt, now: ledger.clock.now(), blockSeqno: ledger.blockSeqno, blockTime: ledger.clock.now() } });
        }
        const loop = monitorEventLoopDelay({ resolution: 1 });
        loop.enable();
        const longMs = await faucetMs();
        loop.disable();
        o.log(`devnet bench: store with ${ledger.store.size} transactions: ${longMs.toFixed(2)} ms per transfer (${emptyMs.toFixed(2)} empty)`);

        const all = Array.from({ length: ledger.store.size }, (_, i) => samples[i % samples.length]);
        const t = performance.now();
        const json = JSON.stringify({ transactions: all.map((r) => ({ address: r.address.toRawString(), boc: r.cell.toBoc().toString('base64'), block: r.block })) });
        fs.writeFileSync(path.join(dir, 'whole.json'), json);
        const jsonSaveMs = performance.now() - t;
        await devnet.stop();

        const r = performance.now();
        const again = await Devnet.start({ port: 0, statePath });
        const restartMs = performance.now() - r;
        await again.stop();
        return { history: ledger.store.size, emptyMs, longMs, stallMs: loop.max / 1e6, jsonSaveMs, restartMs };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export async function benchDevnet(o: BenchOptions): Promise<BenchSection> {
    const { raw, devnet } = await compareNets(o);
    const { wallets, clients } = lanes(o.smoke);
    const store = await measureStore(o);
    const ratio = devnet.transfers / raw.transfers;
    const ms = (x: number) => x.toFixed(2);
    const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
    const table = markdownTable(
        ['measure', 'devnet (HTTP, own process)', 'raw @ton/sandbox (in process)', 'devnet ÷ raw'],
        [
            [`wallet transfers/s (${wallets} V4 wallets in parallel)`, devnet.transfers.toFixed(1), raw.transfers.toFixed(1), pct(ratio)],
            [`signed client charges/s (${clients} clients in parallel)`, devnet.charges.toFixed(1), raw.charges.toFixed(1), pct(devnet.charges / raw.charges)],
            ['wallet `seqno` get method p50 / p99, ms', `${ms(devnet.seqno.p50)} / ${ms(devnet.seqno.p99)}`, `${ms(raw.seqno.p50)} / ${ms(raw.seqno.p99)}`, `${(devnet.seqno.p50 / raw.seqno.p50).toFixed(1)}×`],
        ],
    );
    const storeTable = markdownTable(
        ['store, ' + `${store.history.toLocaleString('en')} transactions`, 'with the store', 'baseline (same run)'],
        [
            ['ms per message chain (faucet transfer, commit included)', ms(store.longMs), `${ms(store.emptyMs)} on an empty store`],
            ['longest event-loop stall while transfers run, ms', ms(store.stallMs), `${ms(store.jsonSaveMs)}: one whole-state JSON save (before the store, every 10 s)`],
            ['restart (open the store, load the accounts), ms', ms(store.restartMs), '–'],
        ],
    );
    const targets: Target[] = [{ what: 'devnet wallet transfers/s ÷ raw @ton/sandbox', measured: pct(ratio), target: '≥ 50%', met: ratio >= 0.5 }];
    return {
        title: 'Devnet',
        table: `${table}\n\n${storeTable}`,
        targets,
        notes: [
            `Both chains run the same phases alternately in ${o.smoke ? 1 : 3} rounds (the figures are their means); the devnet is \`cocoon devnet --quiet\` in its own process, driven through its HTTP API with TonClient (which reads the account before each send: 2 requests per transfer), the raw sandbox is a Blockchain in the bench process; both sign with the same V4 wallet code.`,
            'The store: every message chain is one SQLite transaction (WAL, synchronous=NORMAL) with its transactions and changed accounts; the history was filled with copies of real transactions, and the JSON save is the old autosave\'s work for the same transactions (stringify + write, synchronous).',
            'Before the store, measured once with the devnet of commit 53758ea and 100,000 transactions in its history (load average about 12): each autosave took 22–24 s and blocked the event loop as long (a 47 MB JSON file), every 10 s while anything changed.',
            'Profile of the devnet process under the transfer load (start-up and idle left out): about 66% in the sandbox (emulator and account parsing, as in the raw run), 10% Node HTTP, 10% GC, 10% the devnet\'s own code; the rest of the gap to raw is the second process (HTTP client, JSON) on the same 2 cores.',
            ...(ratio >= 0.5 ? [] : [`Transfers: the devnet reached ${pct(ratio)} of the raw sandbox, ${pct(0.5 - ratio)} short of the target.`]),
        ],
    };
}
