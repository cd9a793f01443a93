import Database from 'better-sqlite3';
import fs from 'fs';
import path from 'path';
import { LOCAL_PRICES } from '../../offchain/cli/up/network';
import { ADMIN_TOKEN, FaultNet, freePort, postChat, receiptTotals, Service, sleep, until } from './harness';

/** Replaces a service's SQLite database (and drops its WAL files) while the service is down. */
function restoreDatabase(file: string, copy: string): void {
    for (const suffix of ['-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    fs.copyFileSync(copy, file);
}

/** A consistent copy of a database in use (SQLite's online backup, as an operator's backup job would take it). */
async function backup(file: string, to: string): Promise<void> {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
        await db.backup(to);
    } finally {
        db.close();
    }
}

async function refusingProxy(ops: string, service: Service): Promise<{ refusal: { code: string; reason: string } }> {
    await service.logged('rollback detected', 60_000);
    await service.logged('proxy serving'); // its ops show the refusal from the start, its status once it is up
    const health = await fetch(`${ops}/healthz`);
    expect(health.status).toBe(503);
    const status = (await (await fetch(`${ops}/status`)).json()) as { state: string; refusal: { code: string; reason: string } };
    expect(status.state).toBe('refusing');
    expect(status.refusal.code).toBe('rollback_detected');
    // no crash loop: the process stays up, still refusing, having said why once
    await sleep(2000);
    expect(service.alive).toBe(true);
    expect((await fetch(`${ops}/healthz`)).status).toBe(503);
    expect(service.lines('rollback detected').filter((l) => l.code === 'rollback_detected')).toHaveLength(1);
    return status;
}

/**
 * The rollback tripwire: a worker whose counters exceed the proxy's, and a proxy database restored from a backup.
 * The worker collects its own pay (tiny payout threshold) and the client charges itself with the last signed charge,
 * so the books close even though the proxy refuses at the end.
 */
describe('faults: rollback', () => {
    let net: FaultNet;
    let before: Awaited<ReturnType<FaultNet['onChain']>>;

    beforeAll(async () => {
        net = await FaultNet.start({ name: 'rollback', workers: 1, worker: { payoutThresholdTon: 0.000001 } });
        before = await net.onChain();
    }, 180_000);
    afterAll(() => net?.stop());

    const ask = async (content: string, max: number) => (await postChat(net.api, content, max)).status;
    const proxyDb = () => path.join(net.dir, 'proxy.db');
    const confirmed = (tokens: string) =>
        until(`${tokens} tokens confirmed on-chain`, async () => (await net.proxyStatus()).clients[0]?.committedChain === tokens);

    it('a worker whose committed counters exceed the proxy\'s makes the proxy refuse (rollback_detected, /healthz 503, process up); with the worker\'s true counters back, it serves again', async () => {
        expect(await ask('first request here', 4)).toBe(200); // 3 + 4
        await confirmed('7');
        const worker = net.workers[0];
        await worker.kill();
        const workerDb = path.join(net.dir, 'worker0.db');
        const saved = path.join(net.dir, 'worker0.saved.db');
        await backup(workerDb, saved);
        const db = new Database(workerDb);
        db.prepare("UPDATE worker_proxies SET committed_db = '1007'").run();
        db.close();
        worker.start();
        const status = await refusingProxy(net.ops, net.proxy);
        expect(status.refusal.reason).toBe(
            `rollback detected: worker ${net.contracts.workers[0].toRawString()} remembers more committed tokens than this proxy: committedDb 1007 > 7`,
        );
        expect(await ask('refused while the proxy refuses', 2)).toBe(503);

        await worker.kill();
        restoreDatabase(workerDb, saved);
        await net.proxy.kill('SIGTERM');
        await net.startProxy();
        await net.startWorker(worker);
        expect((await fetch(`${net.ops}/healthz`)).status).toBe(200);
        await until('client back', async () => (await fetch(`${net.api}/healthz`)).status === 200);
        expect(await ask('served again after', 3)).toBe(200); // 3 + 3
    });

    it('the proxy\'s database replaced by an older copy: it finds a save-state record it never wrote, refuses to serve and says why, without a crash loop', async () => {
        await confirmed('13');
        const old = path.join(net.dir, 'proxy.old.db');
        await backup(proxyDb(), old);
        expect(await ask('after the backup was taken', 5)).toBe(200); // 5 + 5
        await confirmed('23');
        await net.proxy.kill();
        restoreDatabase(proxyDb(), old);
        net.proxy.start();
        const status = await refusingProxy(net.ops, net.proxy);
        expect(status.refusal.reason).toMatch(/^rollback detected: save-state record seqno \d+ session [0-9a-f]{64} \(transaction \d+\) was not written by this database/);
        await until('client reconnected', async () => (await fetch(`${net.api}/healthz`)).status === 200 || net.client.lines('refus').length > 0);
        expect(await ask('refused by the restored proxy', 2)).not.toBe(200);
    });

    it('the books still close: the worker collected its signed payout, the client charges itself with its last signed charge; both equal the receipts (23 tokens) to the nanoTON', async () => {
        const { total } = receiptTotals(net.receipts());
        expect(total).toBe(23n);
        const charged = await fetch(`${net.api}/admin/charge`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        expect(charged.status).toBe(200);
        const after = await until('worker paid 23', async () => {
            const c = await net.onChain();
            return c.workerTokens[0] - before.workerTokens[0] === 23n ? c : undefined;
        });
        expect(after.clientTokens - before.clientTokens).toBe(23n);
        expect(before.clientBalance - after.clientBalance).toBe(23n * LOCAL_PRICES.pricePerToken);
        expect(after.proxyBalance - before.proxyBalance).toBe(23n * (LOCAL_PRICES.pricePerToken - LOCAL_PRICES.workerFeePerToken));
    });
});

/** A second proxy started on a copy of the first one's database, while the first keeps recording save-states. */
describe('faults: proxy database copied to a second proxy', () => {
    let net: FaultNet;

    beforeAll(async () => {
        net = await FaultNet.start({ name: 'rollback-copy', workers: 1 });
    }, 180_000);
    afterAll(() => net?.stop());

    it('the copy finds the first proxy\'s newer save-state records and refuses; the first then finds the copy\'s record and refuses too', async () => {
        const db = path.join(net.dir, 'proxy.db');
        const copy = path.join(net.dir, 'proxy.copy.db');
        await backup(db, copy);
        const seqno = (await net.proxyStatus()).confirmedSeqno as number;
        // a request after the copy: its tokens need a save-state the copy does not have (an idle proxy records none)
        expect((await postChat(net.api, 'after the copy', 3)).status).toBe(200);
        await until('a save-state newer than the copy', async () => (await net.proxyStatus()).confirmedSeqno > seqno);
        const config = JSON.parse(fs.readFileSync(net.proxy.config, 'utf8'));
        const ops = await freePort();
        const file = path.join(net.dir, 'proxy2.json');
        const listen = { workers: { port: await freePort() }, clients: { port: await freePort() } };
        fs.writeFileSync(file, JSON.stringify({ ...config, database: copy, ops: { port: ops }, listen }));
        const second = new Service('proxy', 'proxy2', file, net.proxy.environment);
        second.start();
        try {
            const status = await refusingProxy(`http://127.0.0.1:${ops}`, second);
            expect(status.refusal.reason).toMatch(/it was restored from a backup or another copy of it is running$/);
            await refusingProxy(net.ops, net.proxy);
        } finally {
            await second.kill();
        }
    });
});
