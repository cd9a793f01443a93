import { Address, beginCell, SendMode, toNano } from '@ton/core';
import { TonClient, WalletContractV4 } from '@ton/ton';
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'fs';
import http from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { ChainClient } from '../../offchain/chain/client';
import { cocoonWalletAdapter } from '../../offchain/chain/cocoon';
import { requestFaucet } from '../../offchain/chain/faucet';
import { normalizedMessageHash } from '../../offchain/chain/messageHash';
import { Outbox, OutboxRecord } from '../../offchain/chain/outbox';
import { WalletAdapter, walletV4Adapter } from '../../offchain/chain/walletAdapter';
import { Devnet } from '../../offchain/devnet';
import { API_BASE } from '../../offchain/devnet';
import { startTestDevnet } from '../devnet/helpers';
import { testKey } from '../devnet/wallets';
import { LossyClient } from './lossyClient';

const dest = (n: number) => Address.parse('0:' + n.toString(16).padStart(2, '0').repeat(32));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A record with its address as text, for deep equality. */
const plain = (r: OutboxRecord) => ({ ...r, to: r.to.toRawString() });

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await cond())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(5);
    }
}

/** The adapter, counting every external it signs. */
function counting(wallet: WalletAdapter): { wallet: WalletAdapter; signed: () => number } {
    let n = 0;
    return {
        wallet: { ...wallet, createTransfer: (seqno, validUntil, messages) => (n++, wallet.createTransfer(seqno, validUntil, messages)) },
        signed: () => n,
    };
}

/** A JSON-RPC endpoint on a port where nothing listens yet; `open()` starts forwarding it to the devnet. */
async function lateEndpoint(devnet: Devnet): Promise<{ url: string; open: () => Promise<void>; close: () => void }> {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const server = http.createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const r = await fetch(devnet.baseUrl + req.url, {
            method: req.method,
            headers: { 'Content-Type': 'application/json' },
            body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
        });
        res.writeHead(r.status, { 'Content-Type': 'application/json' });
        res.end(Buffer.from(await r.arrayBuffer()));
    });
    return {
        url: `http://127.0.0.1:${port}${API_BASE}/jsonRPC`,
        open: () => new Promise<void>((r) => server.listen(port, '127.0.0.1', r)),
        close: () => {
            server.closeAllConnections();
            server.close();
        },
    };
}

describe('Outbox', () => {
    let devnet: Devnet;
    let client: TonClient;
    let chain: ChainClient;
    let dir: string;
    const open: BetterSqlite3.Database[] = [];

    function openDb(name: string): BetterSqlite3.Database {
        const db = new BetterSqlite3(join(dir, `${name}.sqlite`));
        db.pragma('journal_mode = WAL');
        open.push(db);
        return db;
    }

    async function fundedV4(name: string, amount = toNano('5')): Promise<WalletAdapter> {
        const wallet = walletV4Adapter(testKey(name));
        await requestFaucet(devnet.endpoint, wallet.address, amount);
        return wallet;
    }

    beforeAll(async () => {
        ({ devnet, client, chain } = await startTestDevnet());
        dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    });
    afterAll(async () => {
        for (const db of open) db.close();
        rmSync(dir, { recursive: true, force: true });
        await devnet.stop();
    });

    it('sends one message, records the wallet and destination transactions, and settles once', async () => {
        const wallet = await fundedV4('outbox-single');
        const outbox = new Outbox({ db: openDb('single'), chain, wallet, pollMs: 10 });
        const settled: OutboxRecord[] = [];
        outbox.onSettled((r) => settled.push(r));
        const queued = outbox.enqueue({ intent: 'pay:1', to: dest(1), value: toNano('1.5'), bounce: false });
        expect(queued).toMatchObject({ id: 1, intent: 'pay:1', value: toNano('1.5'), state: 'queued', batchSeqno: null, walletTx: null, outcome: null });
        expect(queued.to.equals(dest(1))).toBe(true);
        expect(outbox.pending).toBe(1);
        outbox.start();
        const r = await outbox.wait(queued.id, 10_000);
        const [walletTx] = await chain.getTransactions(wallet.address, { limit: 1 });
        const [destTx] = await chain.getTransactions(dest(1), { limit: 1 });
        expect(r).toMatchObject({ state: 'confirmed', outcome: 'delivered', batchSeqno: 0, reason: null });
        expect(r.validUntil).toBeGreaterThan(Date.now() / 1000 + 3500);
        expect(r.walletTx).toEqual({ lt: walletTx.lt, hash: walletTx.hash().toString('hex') });
        // non-bounceable to an empty account: no compute phase, the value is credited
        expect(r.destination).toEqual({ lt: destTx.lt, hash: destTx.hash().toString('hex'), exitCode: null, success: false });
        expect(await chain.getBalance(dest(1))).toBe(toNano('1.5'));
        expect(settled.map(plain)).toEqual([plain(r)]);
        expect(outbox.pending).toBe(0);
        await outbox.stop();
    });

    it('sends six intents as two batches of four and two at consecutive seqnos', async () => {
        const wallet = await fundedV4('outbox-six', toNano('20'));
        const outbox = new Outbox({ db: openDb('six'), chain, wallet, pollMs: 10 });
        const ids = [1, 2, 3, 4, 5, 6].map((n) => outbox.enqueue({ intent: `pay:${n}`, to: dest(0x10 + n), value: toNano(String(n / 10)), bounce: false }).id);
        outbox.start();
        const rs = await Promise.all(ids.map((id) => outbox.wait(id, 10_000)));
        expect(rs.map((r) => r.outcome)).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
        expect(rs.map((r) => r.batchSeqno)).toEqual([0, 0, 0, 0, 1, 1]);
        expect(new Set(rs.slice(0, 4).map((r) => r.walletTx!.lt)).size).toBe(1);
        expect(rs[4].walletTx).toEqual(rs[5].walletTx);
        expect(rs[4].walletTx!.lt > rs[0].walletTx!.lt).toBe(true);
        expect(await wallet.seqno(chain)).toBe(2);
        for (let n = 1; n <= 6; n++) expect(await chain.getBalance(dest(0x10 + n))).toBe(toNano(String(n / 10)));
        expect(outbox.list({ states: ['confirmed'] }).map((r) => r.id)).toEqual(ids);
        expect(outbox.list({ states: ['queued', 'sent'] })).toEqual([]);
        expect(outbox.list({ limit: 2 }).map((r) => r.intent)).toEqual(['pay:1', 'pay:2']);
        await outbox.stop();
    });

    it('enqueues an intent once, whatever its state, also from a new instance', async () => {
        const db = openDb('idempotent');
        const wallet = await fundedV4('outbox-idempotent');
        const outbox = new Outbox({ db, chain, wallet, pollMs: 10 });
        const first = outbox.enqueue({ intent: 'charge:a:100', to: dest(0x21), value: toNano('1'), bounce: false });
        const again = outbox.enqueue({ intent: 'charge:a:100', to: dest(0x22), value: toNano('2'), bounce: false });
        expect(plain(again)).toEqual(plain(first));
        expect(outbox.list()).toHaveLength(1);
        outbox.start();
        const done = await outbox.wait(first.id, 10_000);
        expect(plain(outbox.enqueue({ intent: 'charge:a:100', to: dest(0x21), value: toNano('1'), bounce: false }))).toEqual(plain(done));
        await outbox.stop();
        const other = new Outbox({ db, chain, wallet, pollMs: 10 });
        other.start();
        expect(plain(other.enqueue({ intent: 'charge:a:100', to: dest(0x21), value: toNano('1'), bounce: false }))).toEqual(plain(done));
        await sleep(100);
        await other.stop();
        expect(await wallet.seqno(chain)).toBe(1);
        expect(await chain.getBalance(dest(0x21))).toBe(toNano('1'));
        expect(await chain.getBalance(dest(0x22))).toBe(0n);
    });

    it('after a crash with a stored batch that never reached the chain, a new instance sends that same external', async () => {
        const path = 'crash-unsent';
        const { wallet, signed } = counting(await fundedV4('outbox-crash-unsent'));
        const lossy = new LossyClient(devnet.endpoint, 1); // the send is lost on the way, as if the process died first
        const first = new Outbox({ db: openDb(path), chain: lossy, wallet, pollMs: 10, resendMs: 60_000 });
        const { id } = first.enqueue({ intent: 'payout:1', to: dest(0x31), value: toNano('1'), bounce: false });
        first.start();
        await until('the batch is stored', () => first.get(id)!.state === 'sent' && lossy.sent === 1);
        await first.stop(); // the DB is all a crashed process leaves behind
        expect(await wallet.seqno(chain)).toBe(0);

        const db = openDb(path);
        const stored = db.prepare('SELECT seqno, hash_norm FROM outbox_batches').all() as { seqno: number; hash_norm: string }[];
        expect(stored).toHaveLength(1);
        const second = new Outbox({ db, chain, wallet, pollMs: 10, resendMs: 60_000 });
        second.start();
        const r = await second.wait(id, 10_000);
        expect(r).toMatchObject({ state: 'confirmed', outcome: 'delivered', batchSeqno: 0 });
        expect(signed()).toBe(1);
        const [tx] = await chain.getTransactions(wallet.address, { limit: 1 });
        expect(normalizedMessageHash(tx.inMessage!).toString('hex')).toBe(stored[0].hash_norm);
        expect(await wallet.seqno(chain)).toBe(1);
        expect(await chain.getBalance(dest(0x31))).toBe(toNano('1'));
        expect(db.prepare('SELECT COUNT(*) AS n FROM outbox_batches').get()).toEqual({ n: 0 });
        await second.stop();
    });

    it('after a crash with a stored batch that executed unseen, a new instance confirms it without sending', async () => {
        const path = 'crash-executed';
        const { wallet, signed } = counting(await fundedV4('outbox-crash-executed'));
        const lossy = new LossyClient(devnet.endpoint, 0, 1); // the send arrives, its answer is lost
        const first = new Outbox({ db: openDb(path), chain: lossy, wallet, pollMs: 60_000 });
        const { id } = first.enqueue({ intent: 'payout:2', to: dest(0x32), value: toNano('1'), bounce: false });
        first.start();
        await until('the batch executed', async () => (await wallet.seqno(chain)) === 1);
        expect(first.get(id)!.state).toBe('sent');
        await first.stop();

        const counted = new LossyClient(devnet.endpoint, 0);
        const second = new Outbox({ db: openDb(path), chain: counted, wallet, pollMs: 10 });
        second.start();
        const r = await second.wait(id, 10_000);
        expect(r).toMatchObject({ state: 'confirmed', outcome: 'delivered', batchSeqno: 0 });
        expect(signed()).toBe(1);
        expect(counted.sent).toBe(0);
        expect(await wallet.seqno(chain)).toBe(1);
        expect(await chain.getBalance(dest(0x32))).toBe(toNano('1'));
        await second.stop();
    });

    it('re-queues a batch whose seqno another external used, and delivers it once', async () => {
        const key = testKey('outbox-race');
        const { wallet, signed } = counting(await fundedV4('outbox-race'));
        const lossy = new LossyClient(devnet.endpoint, 1);
        const logs: string[] = [];
        const outbox = new Outbox({ db: openDb('race'), chain: lossy, wallet, pollMs: 10, resendMs: 60_000, log: (l) => logs.push(l) });
        const { id } = outbox.enqueue({ intent: 'payout:3', to: dest(0x33), value: toNano('1'), bounce: false });
        outbox.start();
        await until('the batch is stored', () => outbox.get(id)!.state === 'sent' && lossy.sent === 1);
        const other = client.open(WalletContractV4.create({ workchain: 0, publicKey: key.publicKey }));
        await other.sendTransfer({ seqno: 0, secretKey: key.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [] });
        const r = await outbox.wait(id, 10_000);
        expect(r).toMatchObject({ state: 'confirmed', outcome: 'delivered', batchSeqno: 1, reason: null });
        expect(signed()).toBe(2);
        expect(logs).toContain(`outbox: wallet ${wallet.address.toString()}: seqno 0 was used by another message; re-queueing 1 intents`);
        expect(await wallet.seqno(chain)).toBe(2);
        expect(await chain.getBalance(dest(0x33))).toBe(toNano('1'));
        await outbox.stop();
    });

    it('re-signs a batch once it has expired unexecuted', async () => {
        const { wallet, signed } = counting(await fundedV4('outbox-expiry'));
        const lossy = new LossyClient(devnet.endpoint, 1);
        const logs: string[] = [];
        const outbox = new Outbox({ db: openDb('expiry'), chain: lossy, wallet, ttlSeconds: 2, pollMs: 20, resendMs: 60_000, log: (l) => logs.push(l) });
        const { id } = outbox.enqueue({ intent: 'payout:4', to: dest(0x34), value: toNano('1'), bounce: false });
        outbox.start();
        await until('the batch is stored', () => outbox.get(id)!.state === 'sent');
        const validUntil = outbox.get(id)!.validUntil!;
        const r = await outbox.wait(id, 10_000);
        expect(r).toMatchObject({ state: 'confirmed', outcome: 'delivered', batchSeqno: 0 });
        expect(r.validUntil!).toBeGreaterThan(validUntil);
        expect(signed()).toBe(2);
        expect(logs).toContain(`outbox: wallet ${wallet.address.toString()}: batch at seqno 0 expired at ${validUntil}; re-queueing 1 intents`);
        expect(await wallet.seqno(chain)).toBe(1);
        expect(await chain.getBalance(dest(0x34))).toBe(toNano('1'));
        await outbox.stop();
    });

    it('keeps its intents while the chain endpoint is unreachable and sends them all once it answers', async () => {
        const endpoint = await lateEndpoint(devnet);
        const unreachable = new ChainClient({ endpoints: [endpoint.url], attempts: 1, backoffMs: 1 });
        const { wallet, signed } = counting(await fundedV4('outbox-offline', toNano('10')));
        const logs: string[] = [];
        const outbox = new Outbox({ db: openDb('offline'), chain: unreachable, wallet, pollMs: 10, log: (l) => logs.push(l) });
        const ids = [1, 2, 3, 4, 5].map((n) => outbox.enqueue({ intent: `pay:${n}`, to: dest(0x40 + n), value: toNano('1'), bounce: false }).id);
        outbox.start();
        await until('a failed attempt', () => logs.length >= 3);
        expect(outbox.list().map((r) => r.state)).toEqual(['queued', 'queued', 'queued', 'queued', 'queued']);
        expect(logs[0]).toMatch(/^outbox: wallet \S+: getAddressInformation: no endpoint answered after 1 attempts/);
        await endpoint.open();
        try {
            const rs = await Promise.all(ids.map((id) => outbox.wait(id, 10_000)));
            expect(rs.map((r) => r.outcome)).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
            expect(rs.map((r) => r.batchSeqno)).toEqual([0, 0, 0, 0, 1]);
            expect(signed()).toBe(2);
            expect(await wallet.seqno(chain)).toBe(2);
            for (let n = 1; n <= 5; n++) expect(await chain.getBalance(dest(0x40 + n))).toBe(toNano('1'));
            await outbox.stop();
        } finally {
            endpoint.close();
        }
    });

    it('deploys a contract with an init and reports a bounceable message it rejects as failed with the exit code', async () => {
        const owner = dest(0x5e);
        const wallet = await cocoonWalletAdapter(testKey('outbox-cocoon'), owner);
        await requestFaucet(devnet.endpoint, wallet.address, toNano('10'));
        const target = await cocoonWalletAdapter(testKey('outbox-cocoon-target'), owner);
        const outbox = new Outbox({ db: openDb('bounce'), chain, wallet, pollMs: 10 });
        const deploy = outbox.enqueue({ intent: 'deploy', to: target.address, value: toNano('1'), init: target.init, bounce: false });
        const poke = outbox.enqueue({ intent: 'poke', to: target.address, value: toNano('0.5'), body: beginCell().storeUint(0x12345678, 32).endCell() });
        outbox.start();
        const [d, p] = await Promise.all([outbox.wait(deploy.id, 10_000), outbox.wait(poke.id, 10_000)]);
        expect(d).toMatchObject({ state: 'confirmed', outcome: 'delivered', destination: { exitCode: 0, success: true } });
        expect((await chain.getAccount(target.address)).state).toBe('active');
        // a message from anyone but the owner with an unknown op: CocoonWallet's ERROR_WALLET_NOT_OWNER
        expect(p).toMatchObject({ state: 'confirmed', outcome: 'failed', destination: { exitCode: 1040, success: false } });
        expect(p.walletTx).toEqual(d.walletTx);
        await outbox.stop();
    });

    it('fails an intent the wallet transaction did not send (action phase failed), with the reason', async () => {
        const wallet = await fundedV4('outbox-overspend', toNano('1'));
        const outbox = new Outbox({ db: openDb('overspend'), chain, wallet, pollMs: 10 });
        const settled: OutboxRecord[] = [];
        outbox.onSettled((r) => settled.push(r));
        const { id } = outbox.enqueue({ intent: 'too-much', to: dest(0x61), value: toNano('5'), bounce: false });
        outbox.start();
        const r = await outbox.wait(id, 10_000);
        const [tx] = await chain.getTransactions(wallet.address, { limit: 1 });
        expect(r).toMatchObject({ state: 'failed', outcome: null, destination: null, batchSeqno: 0 });
        expect(r.walletTx).toEqual({ lt: tx.lt, hash: tx.hash().toString('hex') });
        expect(r.reason).toBe(`wallet transaction ${tx.lt} sent no message 0 (action=37)`);
        // the failed action phase rolled the wallet's state back: no seqno used, and nothing resent since
        expect(await wallet.seqno(chain)).toBe(0);
        expect(await chain.getTransactions(wallet.address, { limit: 10 })).toHaveLength(2);
        expect(settled.map(plain)).toEqual([plain(r)]);
        expect(await chain.getBalance(dest(0x61))).toBe(0n);
        await outbox.stop();
    });

    it('keeps the intents of a wallet too poor to pay queued, backing off, alerting that it is short of TON, and delivers them once it is funded', async () => {
        const { wallet, signed } = counting(await cocoonWalletAdapter(testKey('outbox-poor'), dest(0x5f)));
        await requestFaucet(devnet.endpoint, wallet.address, toNano('1')); // CocoonWallet's key may not spend below 2 TON
        const logs: string[] = [];
        const alerts: string[] = [];
        const outbox = new Outbox({ db: openDb('poor'), chain, wallet, pollMs: 10, log: (l) => logs.push(l), alert: (l) => alerts.push(l) });
        const { id } = outbox.enqueue({ intent: 'payout:poor', to: dest(0x62), value: toNano('1'), bounce: false });
        outbox.start();
        await sleep(1500);
        const short =
            `wallet ${wallet.address.toString()} is short of TON: it holds 1 TON, and batch at seqno 0 needs more than 3 TON ` +
            '(1 sent, 2 kept) plus fees; fund it: its 1 messages wait and are sent once it is';
        expect(alerts.length).toBeGreaterThanOrEqual(3);
        // 10, 20, 40, ... ms apart: at most 8 in 1.5 s, where polling every 10 ms would make many more
        expect(alerts.length).toBeLessThanOrEqual(8);
        expect(new Set(alerts)).toEqual(new Set([`ACTION REQUIRED: ${short}`]));
        expect(logs.filter((l) => l.includes('refused'))).toEqual([]);
        const r = outbox.get(id)!;
        expect(r.state).toBe('queued');
        expect(r.reason).toBe(short);
        expect(outbox.pending).toBe(1);

        await requestFaucet(devnet.endpoint, wallet.address, toNano('5'));
        const done = await outbox.wait(id, 10_000);
        expect(done).toMatchObject({ state: 'confirmed', outcome: 'delivered', batchSeqno: 0, reason: null });
        expect(signed()).toBe(1); // refused, not expired: the same signed external was sent again
        const [tx] = await chain.getTransactions(wallet.address, { limit: 1 });
        const out = tx.outMessages.get(0)!;
        expect(out.info.type === 'internal' && out.info.value.coins).toBe(await chain.getBalance(dest(0x62)));
        await outbox.stop();
    });
});

describe('Outbox views for status pages', () => {
    it('counts intents by state and lists the newest first, filtered by intent prefix', () => {
        const db = new BetterSqlite3(':memory:');
        // never started: enqueued intents stay queued, so no chain is needed
        const outbox = new Outbox({ db, chain: new ChainClient('http://127.0.0.1:9/unused'), wallet: walletV4Adapter(testKey('views')) });
        const intents = ['save:1', 'charge:0:aa:10', 'payout:0:bb:8', 'save:2', 'charge:0:aa:25', 'deploy:0:cc'];
        for (const [i, intent] of intents.entries()) outbox.enqueue({ intent, to: dest(i + 1), value: BigInt(i) * 1000n });
        db.prepare("UPDATE outbox_intents SET state = 'failed', reason = 'expired' WHERE intent = 'save:1'").run();
        expect(outbox.counts()).toEqual({ queued: 5, sent: 0, confirmed: 0, failed: 1 });
        expect(outbox.list({ newestFirst: true, limit: 2 }).map((r) => r.intent)).toEqual(['deploy:0:cc', 'charge:0:aa:25']);
        expect(outbox.list({ intentPrefixes: ['charge:', 'payout:'] }).map((r) => r.intent)).toEqual(['charge:0:aa:10', 'payout:0:bb:8', 'charge:0:aa:25']);
        // a prefix is literal text: '_' and '%' match only themselves
        expect(outbox.list({ intentPrefixes: ['s_ve', '%'] })).toEqual([]);
        const summary = outbox.summary(2, ['charge:']);
        expect(summary.counts).toEqual({ queued: 5, sent: 0, confirmed: 0, failed: 1 });
        expect(summary.pending).toBe(5);
        expect(summary.recent.map((r) => [r.intent, r.value, r.state])).toEqual([
            ['deploy:0:cc', '5000', 'queued'],
            ['charge:0:aa:25', '4000', 'queued'],
        ]);
        expect(summary.settlements[1]).toEqual({
            id: 2,
            intent: 'charge:0:aa:10',
            to: dest(2).toRawString(),
            value: '1000',
            state: 'queued',
            outcome: null,
            createdAt: summary.settlements[1].createdAt,
            walletTx: null,
            tx: null,
            exitCode: null,
            reason: null,
        });
        expect(outbox.summary(2, []).settlements).toEqual([]);
        db.close();
    });
});
