import { ADMIN_TOKEN, expectBooksBalance, expectOutboxSentOnce, FaultNet, openStream, postChat, receiptTotals, sleep, until } from './harness';

/** The engine produces one token every 50 ms, so a 40-token stream is still running when a service is killed. */
const TOKEN_MS = 50;

/**
 * Services SIGKILLed mid-request and restarted from their databases. The proxy pays the worker by itself as soon as
 * usage is confirmed on-chain (a tiny threshold), so its outbox is busy when it dies. The last test settles and
 * checks the contracts against the receipts the client kept, to the nanoTON.
 */
describe('faults: services killed', () => {
    let net: FaultNet;
    let before: Awaited<ReturnType<FaultNet['onChain']>>;

    beforeAll(async () => {
        net = await FaultNet.start({
            name: 'kills',
            workers: 1,
            engineTokenDelayMs: TOKEN_MS,
            // the proxy pays the worker as soon as usage is confirmed on-chain; the client it leaves to charge itself
            proxy: { thresholds: { chargeTon: 1, payoutTon: 0.000001 } },
        });
        before = await net.onChain();
    }, 180_000);
    afterAll(() => net?.stop());

    const ask = async (content: string, max: number) => expect((await postChat(net.api, content, max)).status).toBe(200);
    const proxyClient = async () => (await net.proxyStatus()).clients[0];
    const proxyWorker = async () => (await net.proxyStatus()).workerAccounts[0];

    it('worker SIGKILLed mid-stream: the stream ends with an engine_error event and nothing is charged for it; restarted, the worker reconnects, re-verifies and its counters match the proxy\'s', async () => {
        await ask('before the worker dies', 4); // 4 prompt + 4 completion
        const stream = await openStream(net.api, 'the worker dies during this', 40);
        await stream.tokens(3);
        expect(await net.workers[0].kill()).toBe('SIGKILL');
        const { text, error } = await stream.ended;
        expect(error).toBeNull();
        expect(text).not.toContain('[DONE]');
        expect(JSON.parse(/event: error\ndata: (.*)\n/.exec(text)![1]).error).toMatchObject({ code: 'engine_error', message: 'the worker disconnected' });
        // the worker could not report what it produced: no receipt, nothing accounted
        expect(net.receipts().map((r) => r.tokens.total)).toEqual([8]);
        expect(await proxyClient()).toMatchObject({ tokensMax: '8' });

        await net.startWorker(net.workers[0]);
        const worker = (await (await fetch(`${(await net.workers[0].logged('ops server listening')).url}/status`)).json()) as any;
        const mine = worker.proxies[0];
        expect(mine).toMatchObject({ phase: 'ready', enabled: true });
        const seen = await proxyWorker();
        expect(mine.ledger.tokensMax).toBe(seen.tokensMax);
        expect(mine.ledger.committedDb).toBe(seen.committedDb);
        expect(seen.tokensMax).toBe('8');
        await ask('after the worker came back', 3); // 5 + 3
        expect(net.receipts().map((r) => r.tokens.total)).toEqual([8, 8]);
    });

    it('proxy SIGKILLed mid-stream and restarted: ledger consistent with the receipts, the signed charge issued before the crash still collects, outbox messages neither lost nor sent twice', async () => {
        await ask('one more before the crash', 2); // 5 + 2
        // once the 23 tokens are confirmed on-chain the proxy pushes the client its signed charge and pays the worker
        await until('23 tokens confirmed and the worker paid 16 or more', async () => {
            const [c, w] = [await proxyClient(), await proxyWorker()];
            return c.committedChain === '23' && BigInt(w.paidOnChain) >= 16n;
        });
        const stream = await openStream(net.api, 'the proxy dies during this', 40);
        await stream.tokens(3);
        const inFlight = net.proxyOutbox().filter((r) => r.state !== 'confirmed').map((r) => r.intent);
        expect(await net.proxy.kill()).toBe('SIGKILL');
        const { text } = await stream.ended;
        expect(text).not.toContain('[DONE]');
        expect(text).toContain('event: error');

        // the client's best signed charge (issued before the crash) is collected while the proxy is down
        const charged = await fetch(`${net.api}/admin/charge`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        const chargeBody = (await charged.json()) as any;
        expect({ status: charged.status, outcome: chargeBody.outcome }).toEqual({ status: 200, outcome: 'delivered' });
        expect((await net.onChain()).clientTokens - before.clientTokens).toBe(23n);

        const workerLog = net.workers[0].logs.length;
        await net.startProxy();
        expect((await fetch(`${net.ops}/healthz`)).status).toBe(200);
        await net.workers[0].logged('proxy session ready', 30_000, workerLog);
        const receipts = net.receipts();
        const { total } = receiptTotals(receipts);
        expect(total).toBe(23n);
        expect(receipts.at(-1)!.clientTotal).toBe('23');
        const c = await proxyClient();
        expect({ tokensMax: c.tokensMax, committedDb: c.committedDb }).toEqual({ tokensMax: '23', committedDb: '23' });
        const intents = await expectOutboxSentOnce(net);
        for (const i of inFlight) expect(intents).toContain(i);
        await ask('after the proxy came back', 2);
        expect(net.receipts().at(-1)!.clientTotal).toBe('30');
    });

    it('client SIGKILLed with two streams in flight, restarted: its receipts and balance agree with the proxy', async () => {
        const streams = await Promise.all([openStream(net.api, 'first of two in flight', 40), openStream(net.api, 'second of two in flight', 40)]);
        await Promise.all(streams.map((s) => s.tokens(3)));
        expect(await net.client.kill()).toBe('SIGKILL');
        for (const s of streams) expect((await s.ended).error).not.toBeNull();
        // the proxy cancels both at the worker; what the worker produced until then is accounted
        await until('both requests ended at the proxy', async () => (await net.proxyStatus()).runningRequests === 0);
        const charged = BigInt((await proxyClient()).tokensMax) - 30n;
        await net.startClient();
        // the proxy kept the receipts it could not deliver and hands them over on the client's next connection
        const late = await until('2 late receipts kept', () => (net.client.lines('late receipt kept').length === 2 ? net.client.lines('late receipt kept') : undefined));
        expect(late.reduce((sum, l) => sum + BigInt(l.tokens), 0n)).toBe(charged);
        // each stream was charged the tokens produced until the worker stopped it (3 or more; no prompt tokens: the
        // engine reports those with its last event, which never came)
        for (const l of late) expect(l.tokens).toBeGreaterThanOrEqual(3);
        const receipts = net.receipts();
        expect(receipts).toHaveLength(6);
        const c = await proxyClient();
        expect(receiptTotals(receipts).total.toString()).toBe(c.tokensMax);
        expect(receipts.at(-1)!.clientTotal).toBe(c.tokensMax);
        expect(net.client.lines('late receipt rejected')).toEqual([]);
        // acknowledged: a second restart brings none
        expect(await net.client.kill('SIGTERM')).toBe(0);
        await net.startClient();
        await sleep(1000);
        expect(net.client.lines('late receipt')).toEqual([]);
        expect(net.receipts()).toHaveLength(6);
    });

    it('settles: the contracts end exactly where the receipts say', async () => {
        await expectBooksBalance(net, before);
        await expectOutboxSentOnce(net);
    });
});
