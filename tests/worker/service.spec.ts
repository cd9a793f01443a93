import { Address, toNano } from '@ton/core';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { ChainClient } from '../../offchain/chain/client';
import { cocoonWalletAdapter, devnetKey, devnetSeed, keyFromSeedHex, readWorkerContract } from '../../offchain/chain/cocoon';
import { requestFaucet } from '../../offchain/chain/faucet';
import { walletV4Adapter } from '../../offchain/chain/walletAdapter';
import { WalletSender } from '../../offchain/chain/walletSender';
import type { Devnet } from '../../offchain/devnet';
import { TestEngine } from '../../offchain/engine';
import { deployLocalRoot, fillRegistry } from '../../offchain/localnet';
import type { Usage, WorkerLedger, WorkerToProxy } from '../../offchain/protocol';
import { FAKE_IMAGE_HASH } from '../../offchain/ratls';
import { WorkerService, type WorkerStatus } from '../../offchain/worker';
import { proxyStateInit } from '../../wrappers/addresses';
import type { CocoonParams } from '../../wrappers/params';
import { proxyMessages } from '../../wrappers/proxy';
import { signEnvelope } from '../../wrappers/signing';
import { startTestDevnet } from '../devnet/helpers';
import { FakeProxy, type WorkerLink, zeroLedger } from './fakeProxy';

const MODEL = 'test-model@0123abcd:feedbeef';
const usage = (promptTokens: number, cachedTokens: number, completionTokens: number, reasoningTokens: number): Usage => ({
    promptTokens,
    cachedTokens,
    completionTokens,
    reasoningTokens,
});
const chat = (content: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content }], ...extra });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** id and created differ between two answers of the engine; everything else is deterministic. */
const normalized = (body: string) => body.replace(/"id":"[^"]*"/g, '"id":"X"').replace(/"created":\d+/g, '"created":0');

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await probe();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
    }
}

describe('WorkerService against a fake proxy, the test engine and the devnet', () => {
    let devnet: Devnet;
    let chain: ChainClient;
    let engine: TestEngine;
    let params: CocoonParams;
    let good: FakeProxy;
    let bad: FakeProxy;
    let worker: WorkerService;
    let link: WorkerLink;
    let wallet: Address;
    let workerContract: Address;
    let dir: string;
    const logs: { level: string; msg: string; [k: string]: unknown }[] = [];
    const proxyKey = devnetKey('worker-spec-proxy');
    const proxyOwner = walletV4Adapter(devnetKey('worker-spec-proxy-owner')).address;
    let rid = 0;
    const query = (body: string, extra: { path?: '/v1/chat/completions' | '/v1/completions'; maxTokens?: number; timeoutMs?: number } = {}) => ({
        requestId: `r${++rid}`,
        path: extra.path ?? ('/v1/chat/completions' as const),
        body,
        coefficient: 1000,
        maxTokens: extra.maxTokens ?? 50,
        timeoutMs: extra.timeoutMs ?? 10_000,
    });
    const lastEngineBody = () => engine.requests[engine.requests.length - 1].body as Record<string, unknown>;
    /** The engine's own answer to what the worker forwarded last. */
    const engineAnswer = async () => {
        const r = engine.requests[engine.requests.length - 1];
        const headers = { 'content-type': 'application/json' };
        const res = await fetch(engine.url + r.path, { method: 'POST', headers, body: JSON.stringify(r.body) });
        return res.text();
    };

    beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), 'worker-spec-'));
        ({ devnet, chain } = await startTestDevnet());
        engine = await TestEngine.start({ model: 'test-model' });
        const fake = BigInt('0x' + FAKE_IMAGE_HASH);
        const setup = { proxyHashes: [fake], workerHashes: [fake], models: [MODEL] };
        const root = await deployLocalRoot(chain, devnet.endpoint, setup);
        params = root.params;
        good = new FakeProxy({ root: root.address, params, key: proxyKey, owner: proxyOwner });
        const otherKey = devnetKey('worker-spec-other');
        bad = new FakeProxy({ root: root.address, params, key: otherKey, owner: proxyOwner, welcomeKey: proxyKey });
        await good.listen();
        await bad.listen();
        // registered once they listen (on free ports), in the order the worker reads them
        const proxies = [`127.0.0.1:${good.port}`, `127.0.0.1:${bad.port} 127.0.0.1:1`];
        await fillRegistry(chain, root, { proxies });
        root.sender.stop();

        const seed = devnetSeed('worker-spec-worker').toString('hex');
        const owner = walletV4Adapter(devnetKey('worker-spec-owner')).address;
        wallet = (await cocoonWalletAdapter(keyFromSeedHex(seed), owner)).address;
        await requestFaucet(devnet.endpoint, wallet, toNano('10'));
        workerContract = good.workerContractOf(wallet);
        worker = await WorkerService.start(
            {
                root: root.address.toString(),
                chain: { endpoints: [{ url: devnet.endpoint }] },
                wallet: { seed, owner: owner.toString() },
                model: MODEL,
                engineUrl: engine.url,
                coefficient: 1000,
                maxActiveRequests: 2,
                tdx: { provider: 'fake', peerProvider: 'fake' },
                ops: { port: 0 },
                database: join(dir, 'worker.db'),
            },
            { logSink: (line) => logs.push(JSON.parse(line)) },
        );
        link = await good.link(0);
    }, 60_000);

    afterAll(async () => {
        await worker?.stop();
        await good?.close();
        await bad?.close();
        await engine?.stop();
        await devnet?.stop();
        rmSync(dir, { recursive: true, force: true });
    });

    it('joins the proxy: hello with its wallet and model, compare from zero, enabled; its worker contract at the derived address', async () => {
        await worker.whenReady();
        expect(worker.connected).toBe(true);
        expect(good.hellos[0]).toEqual({
            type: 'worker.hello',
            protocol: { min: 1, max: 1 },
            owner: wallet.toRawString(),
            model: MODEL,
            coefficient: 1000,
            maxActiveRequests: 2,
        });
        const compare = link.messages.find((m) => m.type === 'worker.compare');
        expect(compare).toEqual({ type: 'worker.compare', tokensMax: '0', committedDb: '0', committedChain: '0' });
        expect(await link.waitFor((m) => m.type === 'worker.state')).toEqual({ type: 'worker.state', enabled: true, coefficient: 1000 });
        await until('the worker contract on-chain', async () => ((await chain.getAccount(workerContract)).state === 'active' ? true : undefined));
        const onChain = await readWorkerContract(chain, workerContract);
        expect(onChain.owner.equals(wallet)).toBe(true);
        expect(onChain.proxyAddress.equals(good.contract)).toBe(true);
        expect(onChain.tokens).toBe(0n);
        expect(worker.status().proxies.find((p) => p.endpoint.endsWith(`:${good.port}`))).toMatchObject({
            phase: 'ready',
            enabled: true,
            proxyContract: good.info.contract,
            workerContract: workerContract.toRawString(),
        });
    });

    it('refuses a proxy whose welcome presents another key than its attested certificate', async () => {
        const badLink = await bad.link(0);
        const error = await badLink.waitFor((m) => m.type === 'error');
        const message = 'proxy payment key differs from the one in its attested certificate';
        expect(error).toMatchObject({ type: 'error', code: 'auth_failed', message });
        await badLink.waitClosed();
        expect(badLink.messages.map((m) => m.type)).toEqual(['worker.hello', 'error']);
        const status = worker.status().proxies.find((p) => p.endpoint.endsWith(`:${bad.port}`))!;
        expect(status.phase).not.toBe('ready');
        expect(status.lastError).toMatch(/payment key differs/);
    });

    it('streams: the engine head, parts that concatenate to its body, usage with cached and reasoning tokens', async () => {
        const a = await link.ask(query(chat('hello there #cached=1 #reasoning=2 #length=6', { stream: true }), { maxTokens: 20 }));
        const headers = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', date: expect.any(String) };
        expect(a.head).toEqual({ status: 200, headers });
        expect(normalized(a.body)).toBe(normalized(await engineAnswer()));
        expect(a.body.endsWith('data: [DONE]\n\n')).toBe(true);
        expect(a.last).toEqual({ type: 'answer.end', requestId: `r${rid}`, usage: usage(5, 1, 6, 2) });
        // the worker forces usage into the stream and caps the completion to the reservation
        expect(lastEngineBody()).toMatchObject({ stream: true, stream_options: { include_usage: true }, max_completion_tokens: 20 });
    });

    it('answers a JSON request: head, the whole body, the usage the body reports', async () => {
        const a = await link.ask(query(JSON.stringify({ model: 'test-model', prompt: 'one two three #length=4' }), { path: '/v1/completions' }));
        expect(a.head).toEqual({ status: 200, headers: { 'content-type': 'application/json', date: expect.any(String) } });
        expect(normalized(a.body)).toBe(normalized(await engineAnswer()));
        expect(JSON.parse(a.body).usage).toMatchObject({ prompt_tokens: 4, completion_tokens: 4, total_tokens: 8 });
        expect(a.last).toEqual({ type: 'answer.end', requestId: `r${rid}`, usage: usage(4, 0, 4, 0) });
    });

    it('caps max_tokens to the reservation', async () => {
        const a = await link.ask(query(chat('count', { max_tokens: 500 }), { maxTokens: 7 }));
        expect(lastEngineBody().max_tokens).toBe(7);
        expect(a.last).toEqual({ type: 'answer.end', requestId: `r${rid}`, usage: usage(1, 0, 7, 0) });
    });

    it("relays the engine's own 4xx answer with zero usage", async () => {
        const a = await link.ask(query(chat('too long', { max_tokens: 200_000 }), { maxTokens: 300_000 }));
        expect(a.head?.status).toBe(400);
        expect(JSON.parse(a.body).error).toMatchObject({ param: 'max_tokens' });
        expect(a.last).toEqual({ type: 'answer.end', requestId: `r${rid}`, usage: usage(0, 0, 0, 0) });
    });

    it('refuses a bad field with 400 naming it, and a body that is not JSON', async () => {
        const before = engine.requests.length;
        const a = await link.ask(query(chat('x', { temperature: 5 })));
        expect(a.all).toEqual([
            {
                type: 'answer.error',
                requestId: `r${rid}`,
                code: 'bad_request',
                message: 'temperature must be between 0 and 2',
                status: 400,
                started: false,
            },
        ]);
        const b = await link.ask(query(chat('x', { frobnicate: true })));
        expect(b.last).toMatchObject({ code: 'bad_request', status: 400, started: false, message: 'unknown field frobnicate' });
        const c = await link.ask(query('{"model":'));
        expect(c.last).toMatchObject({ code: 'bad_request', status: 400, started: false });
        expect((c.last as { message: string }).message).toMatch(/^request body is not JSON/);
        expect(engine.requests.length).toBe(before);
    });

    it('reports an engine failing before the first token as engine_error, not started (retryable)', async () => {
        engine.behave({ failBeforeFirstToken: true });
        try {
            const a = await link.ask(query(chat('x', { stream: true })));
            expect(a.all).toEqual([
                {
                    type: 'answer.error',
                    requestId: `r${rid}`,
                    code: 'engine_error',
                    message: 'engine answered HTTP 500: The engine failed before the first token',
                    status: 502,
                    started: false,
                },
            ]);
        } finally {
            engine.behave({ failBeforeFirstToken: false });
        }
    });

    it('reports a stream breaking mid-way as started, with the tokens produced', async () => {
        engine.behave({ failAfterTokens: 3 });
        try {
            const a = await link.ask(query(chat('a b c', { stream: true }), { maxTokens: 10 }));
            expect(a.head?.status).toBe(200);
            const events = a.body.split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)));
            expect(events.filter((e) => e.choices[0]?.delta?.content).length).toBe(3);
            expect(a.last).toMatchObject({ type: 'answer.error', code: 'engine_error', status: 502, started: true, usage: usage(0, 0, 3, 0) });
        } finally {
            engine.behave({ failAfterTokens: null });
        }
    });

    it('answers busy (429) past maxActiveRequests across proxies; cancel aborts with what was produced; a timeout aborts too', async () => {
        engine.behave({ tokenDelayMs: 50 });
        try {
            const from = link.messages.length;
            const slow = ['slow one', 'slow two'].map((text) => query(chat(text, { stream: true }), { maxTokens: 1000 }));
            for (const q of slow) link.send({ type: 'proxy.query', ...q });
            for (const q of slow) await link.waitFor((m) => m.type === 'answer.part' && m.requestId === q.requestId, 10_000, from);
            const busy = await link.ask(query(chat('third')));
            expect(busy.all).toEqual([
                {
                    type: 'answer.error',
                    requestId: `r${rid}`,
                    code: 'busy',
                    message: 'the worker runs its maximum of 2 requests',
                    status: 429,
                    started: false,
                },
            ]);
            expect(worker.status().activeRequests).toBe(2);
            const words = () =>
                link.messages.filter((m) => m.type === 'answer.part' && m.requestId === slow[0].requestId && m.data.includes('"content":"'));
            await until('some words of the first', () => (words().length >= 2 ? true : undefined));
            link.send({ type: 'cancel', requestId: slow[0].requestId });
            const cancelled = await link.waitFor((m) => m.type === 'answer.error' && m.requestId === slow[0].requestId, 5000, from);
            expect(cancelled).toMatchObject({ code: 'cancelled', status: 499, started: true });
            const produced = (cancelled as { usage: Usage }).usage.completionTokens;
            expect(produced).toBeGreaterThan(0);
            expect(produced).toBeLessThan(1000);
            link.send({ type: 'cancel', requestId: slow[1].requestId });
            await link.waitFor((m) => m.type === 'answer.error' && m.requestId === slow[1].requestId, 5000, from);

            const timed = await link.ask(query(chat('slow', { stream: true }), { maxTokens: 1000, timeoutMs: 300 }));
            expect(timed.last).toMatchObject({ code: 'timeout', status: 504, started: true, message: 'no complete answer within 300 ms' });
            await until('requests released', () => (worker.status().activeRequests === 0 ? true : undefined));
        } finally {
            engine.behave({ tokenDelayMs: 0 });
        }
    });

    it('tells the proxy when the engine goes down and comes back; /healthz follows', async () => {
        const from = link.messages.length;
        engine.behave({ down: true });
        expect(await link.waitFor((m) => m.type === 'worker.state', 8000, from)).toEqual({ type: 'worker.state', enabled: false, coefficient: 1000 });
        let health = await fetch(`${worker.opsUrl}/healthz`);
        expect(health.status).toBe(503);
        expect(await health.json()).toEqual({ ok: false, engineHealthy: false, proxiesEnabled: 0 });
        expect(worker.status().engine.healthy).toBe(false);
        const back = link.messages.length;
        engine.behave({ down: false });
        expect(await link.waitFor((m) => m.type === 'worker.state', 8000, back)).toEqual({ type: 'worker.state', enabled: true, coefficient: 1000 });
        health = await fetch(`${worker.opsUrl}/healthz`);
        expect(await health.json()).toEqual({ ok: true, engineHealthy: true, proxiesEnabled: 1 });
    });

    describe('payments', () => {
        const payout = (tokens: bigint, to: Address = workerContract, key = proxyKey.secretKey) =>
            signEnvelope({ kind: 'payout', queryId: 1000n + tokens, newTokens: tokens, expectedMyAddress: to }, key, good.contract)
                .toBoc()
                .toString('base64');
        const ledger = (l: Partial<WorkerLedger>): WorkerLedger => ({ ...zeroLedger(), ...l });
        const rejections = () => logs.filter((l) => l.msg === 'signed payout rejected').map((l) => l.reason);
        const ledgerOf = () => worker.status().proxies.find((p) => p.proxyContract === good.info.contract)!.ledger!;

        it('keeps a valid signed payout and the counters', async () => {
            const counters = { tokensMax: '1500', committedDb: '1200', committedChain: '1000' };
            link.send({ type: 'proxy.payment', ledger: ledger({ ...counters, signedPayout: payout(1000n) }) });
            await until('the payout stored', () => (ledgerOf().payoutTokens === '1000' ? true : undefined));
            expect(ledgerOf()).toEqual({ tokensMax: '1500', committedDb: '1200', committedChain: '1000', paidOnChain: '0', payoutTokens: '1000' });
        });

        it('rejects a payout for another worker contract, one signed by another key, and one below the best held', async () => {
            const other = good.workerContractOf(proxyOwner);
            const base = { tokensMax: '1500', committedDb: '1200', committedChain: '1000' };
            link.send({ type: 'proxy.payment', ledger: ledger({ ...base, signedPayout: payout(2000n, other) }) });
            link.send({ type: 'proxy.payment', ledger: ledger({ ...base, signedPayout: payout(2000n, workerContract, devnetKey('x').secretKey) }) });
            link.send({ type: 'proxy.payment', ledger: ledger({ ...base, signedPayout: payout(900n) }) });
            await until('three rejections', () => (rejections().length === 3 ? true : undefined));
            expect(rejections()).toEqual([
                `payload is for ${other.toRawString()}, not ${workerContract.toRawString()}`,
                'signature does not verify with the proxy key',
                'it pays 900 tokens, below the 1000 already held',
            ]);
            expect(ledgerOf().payoutTokens).toBe('1000');
            expect(link.closed).toBe(false);
        });

        it('payoutNow pays the worker contract up to the signed count; the wallet receives tokens × fee', async () => {
            // the proxy contract that pays: deployed with a stake by someone else, as the proxy service would
            const deployer = walletV4Adapter(devnetKey('worker-spec-deployer'));
            await requestFaucet(devnet.endpoint, deployer.address, toNano('30'));
            const sender = new WalletSender(chain, deployer, { pollMs: 50 });
            const init = proxyStateInit({ owner: proxyOwner, proxyPublicKey: proxyKey.publicKey, root: Address.parse(good.info.root), params });
            const body = proxyMessages.increaseStake(1n, toNano('5'), deployer.address);
            const deployed = await sender.send({ to: good.contract, value: toNano('20'), init, body });
            sender.stop();
            expect(deployed.status).toBe('delivered');

            const results = await worker.payoutNow();
            expect(results).toEqual([
                {
                    proxyContract: good.info.contract,
                    workerContract: workerContract.toRawString(),
                    tokens: 1000n,
                    intent: `payout:${workerContract.toRawString()}:1000`,
                    outcome: 'delivered',
                    state: 'confirmed',
                    paidOnChain: 1000n,
                },
            ]);
            expect((await readWorkerContract(chain, workerContract)).tokens).toBe(1000n);
            expect(ledgerOf().paidOnChain).toBe('1000');
            const fee = 1000n * params.workerFeePerToken;
            const paid = await until('the payout on the worker wallet', async () => {
                const txs = await chain.getTransactions(wallet, { limit: 20 });
                return txs.find((t) => {
                    const info = t.inMessage?.info;
                    return info?.type === 'internal' && info.src.equals(good.contract) && info.value.coins === fee;
                });
            });
            expect(paid).toBeDefined();
            // nothing more to pay: no second submission
            expect(await worker.payoutNow()).toEqual([]);
        });

        it('drops the connection when counters go backwards; the next compare carries the remembered counters', async () => {
            good.ledger = ledger({ tokensMax: '1500', committedDb: '1200', committedChain: '1000', paidOnChain: '1000' });
            link.send({ type: 'proxy.payment', ledger: ledger({ tokensMax: '1400', committedDb: '1200', committedChain: '1000' }) });
            const error = await link.waitFor((m) => m.type === 'error');
            const message = 'payment counters went backwards: proxy tokensMax went back from 1500 to 1400';
            expect(error).toMatchObject({ code: 'rollback_detected', message });
            await link.waitClosed();
            const next = await good.link(1);
            const compare = await next.waitFor((m): m is Extract<WorkerToProxy, { type: 'worker.compare' }> => m.type === 'worker.compare');
            expect(compare).toEqual({ type: 'worker.compare', tokensMax: '1500', committedDb: '1200', committedChain: '1000' });
            expect(await next.waitFor((m) => m.type === 'worker.state')).toEqual({ type: 'worker.state', enabled: true, coefficient: 1000 });
            link = next;
        });

        it('refuses a proxy whose counters are below the remembered ones', async () => {
            good.ledger = ledger({ tokensMax: '1500', committedDb: '1100', committedChain: '1000' });
            link.conn.close();
            const next = await good.link(2);
            const error = await next.waitFor((m) => m.type === 'error');
            const message = 'proxy counters are below ours: proxy committedDb went back from 1200 to 1100';
            expect(error).toMatchObject({ code: 'rollback_detected', message });
            good.ledger = ledger({ tokensMax: '1500', committedDb: '1200', committedChain: '1000' });
            link = await good.link(3);
            await link.waitFor((m) => m.type === 'worker.state');
        });
    });

    it('exposes metrics and status', async () => {
        const metrics = await (await fetch(`${worker.opsUrl}/metrics`)).text();
        expect(metrics).toMatch(/cocoon_worker_requests_total\{outcome="ok"\} [1-9]/);
        expect(metrics).toMatch(/cocoon_worker_requests_total\{outcome="busy"\} 1/);
        expect(metrics).toMatch(/cocoon_worker_requests_total\{outcome="bad_request"\} 3/);
        expect(metrics).toMatch(/cocoon_worker_tokens_total\{kind="reasoning"\} 2/);
        expect(metrics).toMatch(/cocoon_worker_active_requests 0/);
        const status = (await (await fetch(`${worker.opsUrl}/status`)).json()) as WorkerStatus;
        expect(status).toMatchObject({
            model: MODEL,
            engine: { healthy: true },
            activeRequests: 0,
            maxActiveRequests: 2,
            outbox: { pending: 0, unsettled: [] },
        });
        expect(status.proxies).toHaveLength(2);
    });
});
