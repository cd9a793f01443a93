import { Address, toNano } from '@ton/core';
import Database from 'better-sqlite3';
import { createHash } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ChainClient, cocoonWalletAdapter, devnetSeed, keyFromSeedHex, readClientContract, readProxyContract, readReputationSnapshot, readWorkerContract, requestFaucet } from '../../offchain/chain';
import { Devnet } from '../../offchain/devnet';
import { deployLocalRoot, type DeployedRoot } from '../../offchain/localnet';
import {
    adjustUsage,
    bodyHash,
    OUR_VERSIONS,
    pricesOf,
    verifyReceipt,
    type ClientAnswerEnd,
    type ClientAnswerError,
    type ClientLedger,
    type ProxyQuery,
    type WorkerLedger,
    type WorkerToProxy,
} from '../../offchain/protocol';
import { onChainEntry } from '../../offchain/proxy/reputationPublisher';
import { ProxyService, type ProxyConfig, type SettleReport } from '../../offchain/proxy';
import { FAKE_IMAGE_HASH } from '../../offchain/ratls';
import { clientAddress, workerAddress, workerStateInit, clientStateInit } from '../../wrappers/addresses';
import { clientMessages } from '../../wrappers/client';
import { delHashBody } from '../../wrappers/root';
import { validateEnvelope } from '../../wrappers/signing';
import { workerMessages } from '../../wrappers/worker';
import { Cell } from '@ton/core';
import { expectDelivered, fundedSender } from '../chain/cocoonFixture';
import { startTestDevnet } from '../devnet/helpers';
import { connectWorker, dialClient, dialWorker, serve, type ClientPeer, type WorkerPeer } from './peers';

const MODEL = 'test-model@v1:abc';
/** Served only by the workers of the reputation test. */
const REP_MODEL = 'rep-model@v1:abc';
const FAKE_HASH = BigInt('0x' + FAKE_IMAGE_HASH);
const SECRET = 'the client secret';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await f();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(50);
    }
}

describe('ProxyService on the devnet', () => {
    let devnet: Devnet;
    let chain: ChainClient;
    let root: DeployedRoot;
    let dir: string;
    let config: ProxyConfig;
    let proxy: ProxyService;
    const key = keyFromSeedHex(devnetSeed('proxy-spec').toString('hex'));
    let workerOwner: Awaited<ReturnType<typeof fundedSender>>;
    let clientOwner: Awaited<ReturnType<typeof fundedSender>>;
    let clientContract: Address;
    let workerContract: Address;
    const workers: WorkerPeer[] = [];
    const clients: ClientPeer[] = [];
    const prices = () => pricesOf(root.params);
    const logs: string[] = [];
    const deps = () => ({ chain, logSink: (line: string) => logs.push(line) });

    beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), 'cocoon-proxy-'));
        ({ devnet, chain } = await startTestDevnet());
        root = await deployLocalRoot(chain, devnet.endpoint, { proxyHashes: [FAKE_HASH], workerHashes: [FAKE_HASH], models: [MODEL, REP_MODEL] });
        const owner = await fundedSender(chain, devnet.endpoint, 'proxy-spec-owner', toNano('1'));
        const wallet = await cocoonWalletAdapter(key, owner.address);
        await requestFaucet(devnet.endpoint, wallet.address, toNano('50'));
        [workerOwner, clientOwner] = await Promise.all([
            fundedSender(chain, devnet.endpoint, 'proxy-spec-worker'),
            fundedSender(chain, devnet.endpoint, 'proxy-spec-client'),
        ]);
        config = {
            root: root.address.toString(),
            chain: { endpoints: [{ url: devnet.endpoint }], pollMs: 100 },
            wallet: { seed: devnetSeed('proxy-spec').toString('hex'), owner: owner.address.toString() },
            listen: { workers: { port: 0 }, clients: { port: 0 } },
            ops: { port: 0 },
            adminToken: 'admin-token-for-the-proxy-spec',
            database: join(dir, 'proxy.sqlite'),
            tdx: { provider: 'fake', peerProvider: 'fake' },
            thresholds: { chargeTon: 1000, payoutTon: 1000 },
            commitMs: 200,
            saveStateSeconds: 1,
            rootRefreshSeconds: 0.5,
            firstTokenTimeoutMs: 500,
        };
        proxy = await ProxyService.start(config, deps());
        const member = { proxyAddress: proxy.contractAddress, proxyPublicKey: key.publicKey, params: root.params };
        clientContract = clientAddress({ owner: clientOwner.address, ...member });
        workerContract = workerAddress({ owner: workerOwner.address, ...member });
        // the worker contract exists before any payout (a worker deploys it itself)
        expectDelivered(
            await workerOwner.sender.send({
                to: workerContract,
                value: toNano('0.3'),
                init: workerStateInit({ owner: workerOwner.address, ...member }),
                body: workerMessages.register(1n, workerOwner.address),
            }),
        );
    }, 60_000);

    afterAll(async () => {
        for (const p of [...workers, ...clients]) p.close();
        await proxy?.stop();
        await devnet?.stop();
        rmSync(dir, { recursive: true, force: true });
    });

    it('deploys its contract with the root\'s min stake and is healthy once its first save-state is on-chain', async () => {
        const state = await readProxyContract(chain, proxy.contractAddress);
        expect(state).toMatchObject({ state: 0, stake: root.params.minProxyStake, balance: 0n, stakeCovered: true });
        const health = await fetch(`http://127.0.0.1:${proxy.ports.ops}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toEqual({ ok: true, deployed: true, firstSaveStateConfirmed: true, refusal: null });
        expect(proxy.status()).toMatchObject({ state: 'serving', contract: proxy.contractAddress.toRawString() });
        expect(proxy.status().confirmedSeqno).toBeGreaterThan(0);
    });

    it('records no further save-state while idle: nothing counted needs one (saveStateSeconds is 1)', async () => {
        const saves = () => proxy.status().outbox.filter((r) => r.intent.startsWith('save:')).map((r) => r.intent);
        const before = saves();
        expect(before).toHaveLength(1);
        await new Promise((r) => setTimeout(r, 2500));
        expect(saves()).toEqual(before);
    });

    it('admits a worker through hello, compare and state', async () => {
        const w = await dialWorker(proxy.ports.workers, workerOwner.address, MODEL);
        workers.push(w);
        w.send({ type: 'worker.hello', protocol: OUR_VERSIONS, owner: workerOwner.address.toRawString(), model: MODEL, coefficient: 1500, maxActiveRequests: 2 });
        const welcome = await w.waitType('proxy.welcome');
        expect(welcome.workerContract).toBe(workerContract.toRawString());
        expect(welcome.proxy).toEqual({
            publicKey: key.publicKey.toString('hex'),
            owner: Address.parse(config.wallet.owner).toRawString(),
            contract: proxy.contractAddress.toRawString(),
            root: root.address.toRawString(),
            rootVersion: 4, // two hashes and two models added
            paramsVersion: root.params.paramsVersion,
        });
        w.send({ type: 'worker.compare', tokensMax: '0', committedDb: '0', committedChain: '0' });
        const compared = await w.waitType('proxy.compared');
        expect(compared).toEqual({
            type: 'proxy.compared',
            ok: true,
            ledger: { tokensMax: '0', committedDb: '0', committedChain: '0', paidOnChain: '0', signedPayout: null },
        });
        w.send({ type: 'worker.state', enabled: true, coefficient: 1500 });
        await until('the worker in status', () => proxy.status().workers.length === 1);
        expect(proxy.status().workers[0]).toMatchObject({ contract: workerContract.toRawString(), model: MODEL, coefficient: 1500, enabled: true, maxActiveRequests: 2 });
    });

    it('refuses a worker whose model is not in the root, naming the model', async () => {
        const w = await dialWorker(proxy.ports.workers, workerOwner.address, 'other-model@v1:abc');
        w.send({ type: 'worker.hello', protocol: OUR_VERSIONS, owner: workerOwner.address.toRawString(), model: 'other-model@v1:abc', coefficient: 1000, maxActiveRequests: 1 });
        const error = await w.waitType('error');
        expect(error).toEqual({
            type: 'error',
            code: 'not_allowed',
            message: "model other-model@v1:abc is not allowed by the root (its SHA-256 is not in the root's model hashes)",
        });
        await w.waitClosed();
    });

    it('closes a connection whose message fails its schema with bad_message and keeps serving the others', async () => {
        const w = await connectWorker(proxy.ports.workers, workerOwner.address, MODEL);
        (w.conn.ws as unknown as { send(s: string): void }).send(JSON.stringify({ type: 'worker.state', enabled: 'yes', coefficient: 1000 }));
        const error = await w.waitType('error');
        expect(error.code).toBe('bad_message');
        expect(error.message).toBe('worker.state: /enabled must be boolean');
        await w.waitClosed();
        await until('the bad worker removed', () => proxy.status().workers.length === 1);
        expect(workers[0].closed).toBeNull();
    });

    it('authorizes a new client by its on-chain registration (long auth)', async () => {
        const c = await dialClient(proxy.ports.clients);
        clients.push(c);
        c.send({ type: 'client.hello', protocol: OUR_VERSIONS, owner: clientOwner.address.toRawString() });
        const welcome = await c.waitType('proxy.welcome');
        expect(welcome.clientContract).toBe(clientContract.toRawString());
        expect(welcome.auth.kind).toBe('long');
        const nonce = BigInt(welcome.auth.nonce);
        const secretHash = BigInt('0x' + createHash('sha256').update(SECRET).digest('hex'));
        const member = { owner: clientOwner.address, proxyAddress: proxy.contractAddress, proxyPublicKey: key.publicKey, params: root.params };
        const [deployed, registered] = await clientOwner.sender.sendMany([
            {
                to: clientContract,
                value: toNano('5.3'),
                init: clientStateInit(member),
                body: clientMessages.changeSecretHashAndTopUp(2n, toNano('5'), secretHash, clientOwner.address),
            },
            { to: clientContract, value: toNano('0.2'), body: clientMessages.register(3n, nonce, clientOwner.address) },
        ]);
        expectDelivered(deployed);
        expectDelivered(registered);
        c.send({ type: 'client.auth', kind: 'long' });
        const authorized = await c.waitType('proxy.authorized');
        // min(paid 5000, charged 0 + stake 1000) tokens at 0.001 TON
        expect(authorized.ledger).toEqual({
            tokensMax: '0',
            committedDb: '0',
            committedChain: '0',
            chargedOnChain: '0',
            reserved: '0',
            available: '1000',
            signedCharge: null,
        });
    });

    it('authorizes a known client by its secret (short auth) and refuses a wrong one', async () => {
        const c = await dialClient(proxy.ports.clients);
        clients.push(c);
        c.send({ type: 'client.hello', protocol: OUR_VERSIONS, owner: clientOwner.address.toRawString() });
        const welcome = await c.waitType('proxy.welcome');
        expect(welcome.auth).toMatchObject({ kind: 'short', secretHash: createHash('sha256').update(SECRET).digest('hex') });
        c.send({ type: 'client.auth', kind: 'short', secret: SECRET });
        expect((await c.waitType('proxy.authorized')).ledger.available).toBe('1000');

        const wrong = await dialClient(proxy.ports.clients);
        wrong.send({ type: 'client.hello', protocol: OUR_VERSIONS, owner: clientOwner.address.toRawString() });
        await wrong.waitType('proxy.welcome');
        wrong.send({ type: 'client.auth', kind: 'short', secret: 'not it' });
        expect(await wrong.waitType('error')).toEqual({ type: 'error', code: 'auth_failed', message: "the secret does not match the client contract's secret hash" });
    });

    const body = JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }] });
    const usage = { promptTokens: 10, cachedTokens: 2, completionTokens: 20, reasoningTokens: 5 };
    const query = (requestId: string, over: object = {}) => ({
        type: 'client.query' as const,
        requestId,
        model: 'test-model',
        path: '/v1/chat/completions' as const,
        body,
        maxCoefficient: 2000,
        maxTokens: 100,
        timeoutMs: 10_000,
        ...over,
    });
    let accounted = 0;

    it('routes a request to the worker and answers with exact tokens and a receipt that verifies', async () => {
        const seen = serve(workers[0], (q) => [
            { type: 'answer.head', requestId: q.requestId, status: 200, headers: { 'content-type': 'text/event-stream' } },
            { type: 'answer.part', requestId: q.requestId, data: 'hello ' },
            { type: 'answer.part', requestId: q.requestId, data: 'world' },
            { type: 'answer.end', requestId: q.requestId, usage },
        ]);
        const c = clients[1];
        c.send(query('req-1'));
        const end = await c.waitFor<ClientAnswerEnd>((m) => m.type === 'answer.end' && m.requestId === 'req-1');
        expect(seen).toHaveLength(1);
        expect(seen[0]).toMatchObject({ path: '/v1/chat/completions', body, coefficient: 1500, maxTokens: 100 });
        expect(seen[0].timeoutMs).toBeLessThanOrEqual(9500);
        // coefficient 1.5: prompt (10 − 2) → 12, cached 2 → 3, completion (20 − 5) → 22, reasoning 5 → 7
        expect(end.tokens).toEqual({ prompt: 12, cached: 3, completion: 22, reasoning: 7, total: 44 });
        expect(end.tokens).toEqual(adjustUsage(usage, 1500, prices()));
        expect(end.usage).toEqual(usage);
        expect(end.receipt).toMatchObject({ clientTotal: '44', cost: (44n * prices().pricePerToken).toString(), workerContract: workerContract.toRawString(), coefficient: 1500 });
        verifyReceipt(end.receipt, {
            publicKey: key.publicKey,
            requestId: 'req-1',
            proxyContract: proxy.contractAddress.toRawString(),
            clientContract: clientContract.toRawString(),
            requestHash: bodyHash(body),
            responseHash: bodyHash('hello world'),
            tokens: end.tokens,
        });
        const parts = c.received.filter((m) => m.type === 'answer.part' && m.requestId === 'req-1').map((m) => (m as { data: string }).data);
        expect(parts).toEqual(['hello ', 'world']);
        const payment = await c.waitFor<{ type: 'proxy.payment'; ledger: ClientLedger }>((m) => m.type === 'proxy.payment' && m.ledger.tokensMax === '44');
        expect(payment.ledger).toMatchObject({ tokensMax: '44', reserved: '0', available: '956' });
        await workers[0].waitFor((m) => m.type === 'proxy.payment' && m.ledger.tokensMax === '44');
        accounted = 44;
    });

    it('answers 402 insufficient_credit when the reservation exceeds the credit', async () => {
        const c = clients[1];
        c.send(query('req-big', { maxTokens: 5000 }));
        const error = await c.waitFor<ClientAnswerError>((m) => m.type === 'answer.error' && m.requestId === 'req-big');
        const reservation = (5000 + Buffer.byteLength(body)) * 2;
        expect(error).toEqual({
            type: 'answer.error',
            requestId: 'req-big',
            code: 'insufficient_credit',
            status: 402,
            started: false,
            message: `the request needs ${reservation} tokens reserved, 956 are available`,
        });
    });

    it('answers 404 for a model no worker serves', async () => {
        const c = clients[1];
        c.send(query('req-unknown', { model: 'nobody-serves-this' }));
        const error = await c.waitFor<ClientAnswerError>((m) => m.type === 'answer.error' && m.requestId === 'req-unknown');
        expect(error).toMatchObject({ code: 'unknown_model', status: 404, started: false, message: 'no worker serves model nobody-serves-this' });
    });

    it('retries on another worker when the first fails before its first byte', async () => {
        const second = await connectWorker(proxy.ports.workers, workerOwner.address, MODEL, 1500);
        workers.push(second);
        await until('two workers', () => proxy.status().workers.length === 2);
        let failed = false;
        const answer = (w: WorkerPeer) =>
            serve(w, (q) => {
                if (!failed) {
                    failed = true;
                    return [{ type: 'answer.error', requestId: q.requestId, code: 'engine_error', message: 'engine down', status: 502, started: false }];
                }
                return [
                    { type: 'answer.head', requestId: q.requestId, status: 200, headers: {} },
                    { type: 'answer.part', requestId: q.requestId, data: 'ok' },
                    { type: 'answer.end', requestId: q.requestId, usage: { promptTokens: 4, cachedTokens: 0, completionTokens: 2, reasoningTokens: 0 } },
                ];
            });
        const seen = [answer(workers[0]), answer(second)];
        const c = clients[1];
        c.send(query('req-retry'));
        const end = await c.waitFor<ClientAnswerEnd>((m) => m.type === 'answer.end' && m.requestId === 'req-retry');
        expect(seen.map((s) => s.length)).toEqual([1, 1]);
        expect(end.tokens).toEqual({ prompt: 6, cached: 0, completion: 3, reasoning: 0, total: 9 });
        expect(end.receipt.clientTotal).toBe('53');
        expect(c.received.filter((m) => m.type === 'answer.error' && m.requestId === 'req-retry')).toEqual([]);
        accounted += 9;
    });

    it('times out a request: cancel to the worker, 504 to the client, nothing accounted', async () => {
        const cancelled: string[] = [];
        for (const w of workers) {
            serve(w, () => 'ignore');
            const previous = w.hook!;
            w.hook = (m) => (m.type === 'cancel' ? cancelled.push(m.requestId) : previous(m));
        }
        const c = clients[1];
        c.send(query('req-slow', { timeoutMs: 300 }));
        const error = await c.waitFor<ClientAnswerError>((m) => m.type === 'answer.error' && m.requestId === 'req-slow');
        expect(error).toEqual({ type: 'answer.error', requestId: 'req-slow', code: 'timeout', status: 504, started: false, message: 'no complete answer within 300 ms' });
        await until('the cancel', () => cancelled.length === 1);
        expect(proxy.status().clients[0]).toMatchObject({ tokensMax: String(accounted), reserved: '0' });
        const metrics = await (await fetch(`http://127.0.0.1:${proxy.ports.ops}/metrics`)).text();
        expect(metrics).toContain('cocoon_proxy_requests_total{outcome="ok"} 2');
        expect(metrics).toContain('cocoon_proxy_requests_total{outcome="insufficient_credit"} 1');
        expect(metrics).toContain('cocoon_proxy_requests_total{outcome="unknown_model"} 1');
        expect(metrics).toContain('cocoon_proxy_requests_total{outcome="timeout"} 1');
        expect(metrics).toContain(`cocoon_proxy_tokens_accounted_total ${accounted}`);
        expect(metrics).toContain('cocoon_proxy_workers_connected 2');
    });

    it("a worker's disconnect fails only its own started requests (engine_error), others go on; nothing is accounted", async () => {
        const held = (w: WorkerPeer) => serve(w, (q) => [{ type: 'answer.head', requestId: q.requestId, status: 200, headers: {} }, { type: 'answer.part', requestId: q.requestId, data: 'x' }]);
        const seen = [held(workers[0]), held(workers[1])];
        const c = clients[1];
        // one worker contract behind both connections, so one reputation: the second request goes to the idle one
        c.send(query('req-gone-1', { body: '{"n":1}' }));
        c.send(query('req-gone-2', { body: '{"n":2}' }));
        await until('both requests streaming', () => c.received.filter((m) => m.type === 'answer.part' && m.requestId.startsWith('req-gone-')).length === 2);
        expect(seen.map((s) => s.length)).toEqual([1, 1]);
        const [gone, kept] = seen[0][0].body === '{"n":1}' ? ['req-gone-1', 'req-gone-2'] : ['req-gone-2', 'req-gone-1'];
        workers[0].close();
        const error = await c.waitFor<ClientAnswerError>((m) => m.type === 'answer.error' && m.requestId === gone);
        expect(error).toEqual({ type: 'answer.error', requestId: gone, code: 'engine_error', status: 502, started: true, message: 'the worker disconnected' });
        await until('the worker removed', () => proxy.status().workers.length === 1);
        expect(proxy.status().runningRequests).toBe(1);
        expect(c.received.some((m) => m.type === 'answer.error' && m.requestId === kept)).toBe(false);
        workers[1].send({ type: 'answer.error', requestId: seen[1][0].requestId, code: 'engine_error', message: 'engine stopped', status: 502, started: true });
        const second = await c.waitFor<ClientAnswerError>((m) => m.type === 'answer.error' && m.requestId === kept);
        expect(second).toEqual({ type: 'answer.error', requestId: kept, code: 'engine_error', status: 502, started: true, message: 'engine stopped' });
        expect(proxy.status()).toMatchObject({ runningRequests: 0, clients: [expect.objectContaining({ tokensMax: String(accounted), reserved: '0' })] });
    });

    let chargeBefore: string;

    it('keeps counters and signed payments across a restart on the same database', async () => {
        await until('tokens committed on-chain', () => proxy.status().clients.find((x) => x.committedChain === String(accounted)));
        const c = clients[1];
        c.send({ type: 'payment.status' });
        const before = await c.waitFor<{ type: 'proxy.payment'; ledger: ClientLedger }>((m) => m.type === 'proxy.payment' && m.ledger.committedChain === String(accounted));
        expect(before.ledger.signedCharge).not.toBeNull();
        chargeBefore = before.ledger.signedCharge!;
        const { payload } = validateEnvelope(Cell.fromBase64(chargeBefore), { publicKey: key.publicKey, kinds: ['charge'], address: clientContract });
        expect(payload.newTokens).toBe(BigInt(accounted));

        for (const p of [...workers, ...clients]) p.close();
        workers.length = 0;
        clients.length = 0;
        await proxy.stop();
        proxy = await ProxyService.start(config, deps());
        const status = proxy.status();
        expect(status.state).toBe('serving');
        expect(status.clients).toEqual([
            expect.objectContaining({ contract: clientContract.toRawString(), tokensMax: String(accounted), committedDb: String(accounted), committedChain: String(accounted) }),
        ]);
        expect(status.workerAccounts).toEqual([
            expect.objectContaining({ contract: workerContract.toRawString(), tokensMax: String(accounted), committedChain: String(accounted), paidOnChain: '0' }),
        ]);
        const again = await dialClient(proxy.ports.clients);
        clients.push(again);
        again.send({ type: 'client.hello', protocol: OUR_VERSIONS, owner: clientOwner.address.toRawString() });
        await again.waitType('proxy.welcome');
        again.send({ type: 'client.auth', kind: 'short', secret: SECRET });
        const authorized = await again.waitType('proxy.authorized');
        expect(authorized.ledger).toMatchObject({ tokensMax: String(accounted), committedChain: String(accounted), signedCharge: chargeBefore });
    });

    it('settle() charges the client and pays the worker on-chain exactly', async () => {
        const report = await proxy.settle();
        expect(report.charges).toEqual([
            expect.objectContaining({ kind: 'charge', contract: clientContract.toRawString(), tokens: String(accounted), outcome: 'delivered' }),
        ]);
        expect(report.payouts).toEqual([
            expect.objectContaining({ kind: 'payout', contract: workerContract.toRawString(), tokens: String(accounted), outcome: 'delivered' }),
        ]);
        expect(report.charges[0].tx).toMatch(/^[0-9a-f]{64}$/);
        const p = prices();
        const t = BigInt(accounted);
        const client = await readClientContract(chain, clientContract);
        expect(client).toMatchObject({ tokensUsed: t, balance: toNano('5') - t * p.pricePerToken });
        expect((await readWorkerContract(chain, workerContract)).tokens).toBe(t);
        const earnings = await until('the proxy\'s share', async () => {
            const s = await readProxyContract(chain, proxy.contractAddress);
            return s.balance > 0n && s.balance;
        });
        expect(earnings).toBe(t * (p.pricePerToken - p.workerFeePerToken));
        await until('the watcher saw the payout', () => proxy.status().workerAccounts[0].paidOnChain === String(accounted));
        expect(proxy.status().clients[0]).toMatchObject({ chargedOnChain: String(accounted) });
    });

    // After the restart and settle(): the client has 53 tokens charged on-chain, so its credit is min(paid 5000,
    // charged 53 + stake 1000) = 1053 tokens. One worker (maxActiveRequests 1) holds a request the next test cancels.
    const reservation = (100 + Buffer.byteLength(body)) * 2;
    const creditLimit = 1053;
    let holder: WorkerPeer;
    let held: ProxyQuery;
    const clientPayments = (c: ClientPeer, pred: (l: ClientLedger) => boolean) =>
        c.waitFor<{ type: 'proxy.payment'; ledger: ClientLedger }>((m) => m.type === 'proxy.payment' && pred(m.ledger));
    const workerPayments = (w: WorkerPeer, pred: (l: WorkerLedger) => boolean) =>
        w.waitFor<{ type: 'proxy.payment'; ledger: WorkerLedger }>((m) => m.type === 'proxy.payment' && pred(m.ledger));

    it('answers 429 busy when every eligible worker is at its maxActiveRequests, accounting nothing', async () => {
        expect(accounted).toBe(53);
        holder = await connectWorker(proxy.ports.workers, workerOwner.address, MODEL, 1500, 1);
        const dear = await connectWorker(proxy.ports.workers, workerOwner.address, MODEL, 2500, 4); // free, but above maxCoefficient
        workers.push(holder, dear);
        await until('two workers', () => proxy.status().workers.length === 2);
        const heldSeen = serve(holder, () => 'ignore');
        const dearSeen = serve(dear, () => 'ignore');
        const c = clients[0];
        c.send(query('req-hold'));
        held = await holder.waitType('proxy.query');
        c.send(query('req-busy'));
        const error = await c.waitFor<ClientAnswerError>((m) => m.type === 'answer.error' && m.requestId === 'req-busy');
        expect(error).toEqual({
            type: 'answer.error',
            requestId: 'req-busy',
            code: 'busy',
            status: 429,
            started: false,
            message: 'every worker of model test-model is at its concurrency limit',
        });
        expect(heldSeen).toHaveLength(1);
        expect(dearSeen).toEqual([]);
        c.send({ type: 'payment.status' });
        const payment = await clientPayments(c, (l) => l.reserved !== '0');
        expect(payment.ledger).toMatchObject({
            tokensMax: '53',
            reserved: String(reservation),
            available: String(creditLimit - 53 - reservation),
        });
        expect(proxy.status().clients[0]).toMatchObject({ tokensMax: '53', reserved: String(reservation) });
        const metrics = await (await fetch(`http://127.0.0.1:${proxy.ports.ops}/metrics`)).text();
        expect(metrics).toContain('cocoon_proxy_requests_total{outcome="busy"} 1');
        expect(metrics).toMatch(/^cocoon_proxy_tokens_accounted_total 0$/m);
    });

    // The router's rule: a client cancel marks the request and sends the worker `cancel` (the reservation stays until
    // the worker's final message or the client's timeout); that final message is never retried, and is forwarded with
    // the worker's code, message and status, `started` once answer.head went out; its usage, adjusted at the attempt's
    // coefficient and capped at the reservation (completion cut first), is added to both sides, with a receipt when
    // it is above 0 tokens. Anything the worker sends for that request afterwards is ignored.
    it('a client cancel reaches the worker; usage in its final message is accounted with a receipt, later messages are not', async () => {
        const c = clients[0];
        holder.send({ type: 'answer.head', requestId: held.requestId, status: 200, headers: { 'content-type': 'text/event-stream' } });
        holder.send({ type: 'answer.part', requestId: held.requestId, data: 'partial' });
        await c.waitFor((m) => m.type === 'answer.part' && m.requestId === 'req-hold');
        c.send({ type: 'cancel', requestId: 'req-hold' });
        expect(await holder.waitType('cancel')).toEqual({ type: 'cancel', requestId: held.requestId });
        const produced = { promptTokens: 10, cachedTokens: 0, completionTokens: 4, reasoningTokens: 0 };
        const cancelled = { type: 'answer.error', code: 'cancelled', message: 'cancelled by the proxy', status: 499 } as const;
        holder.send({ ...cancelled, requestId: held.requestId, started: true, usage: produced });
        // too late: the request ended with the answer.error
        const late = { promptTokens: 50, cachedTokens: 0, completionTokens: 50, reasoningTokens: 0 };
        holder.send({ type: 'answer.end', requestId: held.requestId, usage: late });
        const error = await c.waitFor<ClientAnswerError>((m) => m.type === 'answer.error' && m.requestId === 'req-hold');
        // coefficient 1.5: prompt 10 → 15, completion 4 → 6
        const tokens = { prompt: 15, cached: 0, completion: 6, reasoning: 0, total: 21 };
        expect(error).toEqual({
            type: 'answer.error',
            requestId: 'req-hold',
            code: 'cancelled',
            message: 'cancelled by the proxy',
            status: 499,
            started: true,
            usage: produced,
            tokens,
            receipt: expect.objectContaining({ clientTotal: '74', cost: (21n * prices().pricePerToken).toString(), coefficient: 1500 }),
        });
        verifyReceipt(error.receipt!, {
            publicKey: key.publicKey,
            requestId: 'req-hold',
            proxyContract: proxy.contractAddress.toRawString(),
            clientContract: clientContract.toRawString(),
            requestHash: bodyHash(body),
            responseHash: bodyHash('partial'),
            tokens,
        });
        expect(c.received.filter((m) => m.type === 'answer.end' && m.requestId === 'req-hold')).toEqual([]);
        accounted += 21;
        const payment = await clientPayments(c, (l) => l.tokensMax === String(accounted));
        expect(payment.ledger).toMatchObject({ tokensMax: '74', reserved: '0', available: String(creditLimit - 74) });
        await workerPayments(holder, (l) => l.tokensMax === '74');
        // the proxy reads payment.status after the late answer.end on the same connection (the next test's totals
        // show it for certain: they would include the late usage)
        const before = holder.received.length;
        holder.send({ type: 'payment.status' });
        await until('the worker ledger answer', () => holder.received.slice(before).some((m) => m.type === 'proxy.payment'));
        expect(proxy.status().workerAccounts[0]).toMatchObject({ tokensMax: '74' });
        expect(proxy.status().clients[0]).toMatchObject({ tokensMax: '74', reserved: '0' });
        const metrics = await (await fetch(`http://127.0.0.1:${proxy.ports.ops}/metrics`)).text();
        expect(metrics).toContain('cocoon_proxy_requests_total{outcome="cancelled"} 1');
        expect(metrics).toMatch(/^cocoon_proxy_tokens_accounted_total 21$/m);
    });

    it('caps a cancelled request at its reservation, cutting completion first', async () => {
        const c = clients[0];
        c.send(query('req-cap'));
        const q = await holder.waitFor<ProxyQuery>((m) => m.type === 'proxy.query' && m.requestId !== held.requestId);
        c.send({ type: 'cancel', requestId: 'req-cap' });
        await holder.waitFor((m) => m.type === 'cancel' && m.requestId === q.requestId);
        const produced = { promptTokens: 100, cachedTokens: 0, completionTokens: 300, reasoningTokens: 0 };
        holder.send({
            type: 'answer.error',
            requestId: q.requestId,
            code: 'cancelled',
            message: 'cancelled by the proxy',
            status: 499,
            started: false,
            usage: produced,
        });
        const error = await c.waitFor<ClientAnswerError>((m) => m.type === 'answer.error' && m.requestId === 'req-cap');
        // 150 + 450 adjusted tokens, 332 reserved: completion loses the 268 above the reservation
        expect(reservation).toBe(332);
        const tokens = { prompt: 150, cached: 0, completion: 182, reasoning: 0, total: 332 };
        expect(error).toMatchObject({ code: 'cancelled', status: 499, started: false, usage: produced, tokens });
        expect(error.receipt).toMatchObject({ clientTotal: '406', responseHash: bodyHash('') });
        accounted += 332;
        const payment = await clientPayments(c, (l) => l.tokensMax === String(accounted));
        expect(payment.ledger).toMatchObject({ reserved: '0', available: String(creditLimit - 406) });
        await workerPayments(holder, (l) => l.tokensMax === '406');
    });

    it('POST /admin/settle with the admin token settles exactly the accounted counts on-chain and reports them', async () => {
        const c = clients[0];
        // the signed charge and payout the proxy hands out for the committed count are what settling sends
        const charge = await clientPayments(c, (l) => l.committedChain === String(accounted));
        const payout = await workerPayments(holder, (l) => l.committedChain === String(accounted));
        const signed = (boc: string | null, kind: 'charge' | 'payout', address: Address) =>
            validateEnvelope(Cell.fromBase64(boc!), { publicKey: key.publicKey, kinds: [kind], address }).payload.newTokens;
        expect(signed(charge.ledger.signedCharge, 'charge', clientContract)).toBe(BigInt(accounted));
        expect(signed(payout.ledger.signedPayout, 'payout', workerContract)).toBe(BigInt(accounted));
        const seqnoBefore = proxy.status().confirmedSeqno;
        const proxyBefore = (await readProxyContract(chain, proxy.contractAddress)).balance;

        const authorization = `Bearer ${config.adminToken}`;
        const adminSettle = () => fetch(`http://127.0.0.1:${proxy.ports.ops}/admin/settle`, { method: 'POST', headers: { authorization } });
        const r = await adminSettle();
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toMatch(/^application\/json/);
        const hash = expect.stringMatching(/^[0-9a-f]{64}$/);
        const settled = (kind: 'charge' | 'payout', contract: Address) => ({
            kind,
            contract: contract.toRawString(),
            tokens: String(accounted),
            intent: `${kind}:${contract.toRawString()}:${accounted}`,
            outcome: 'delivered',
            state: 'confirmed',
            walletTx: hash,
            tx: hash,
            exitCode: 0,
        });
        const report = (await r.json()) as SettleReport;
        expect(report).toEqual({
            saveState: { seqno: expect.any(Number), walletTx: hash, tx: hash },
            charges: [settled('charge', clientContract)],
            payouts: [settled('payout', workerContract)],
        });
        expect(report.saveState.seqno).toBeGreaterThan(seqnoBefore!);

        const p = prices();
        const t = BigInt(accounted);
        const client = await readClientContract(chain, clientContract);
        expect(client).toMatchObject({ tokensUsed: t, balance: toNano('5') - t * p.pricePerToken });
        expect((await readWorkerContract(chain, workerContract)).tokens).toBe(t);
        // the proxy contract keeps price − worker fee per token of both settlements
        const share = t * (p.pricePerToken - p.workerFeePerToken);
        expect(proxyBefore).toBe(53n * (p.pricePerToken - p.workerFeePerToken));
        let last = proxyBefore;
        await until('the proxy\'s share of every settled token', async () => {
            last = (await readProxyContract(chain, proxy.contractAddress)).balance;
            return last === share;
        });
        expect(last).toBe(share);
        await until('the watcher saw the payout', () => proxy.status().workerAccounts[0].paidOnChain === String(accounted));
        const total = String(accounted);
        expect(proxy.status().clients[0]).toMatchObject({ tokensMax: total, committedChain: total, chargedOnChain: total });
        // nothing is left to settle
        const again = await adminSettle();
        expect(again.status).toBe(200);
        expect(await again.json()).toMatchObject({ charges: [], payouts: [] });
    });

    it('rejects POST /admin/settle without the admin token, and logs neither seed nor token', async () => {
        const r = await fetch(`http://127.0.0.1:${proxy.ports.ops}/admin/settle`, { method: 'POST' });
        expect(r.status).toBe(401);
        const wrong = await fetch(`http://127.0.0.1:${proxy.ports.ops}/admin/settle`, { method: 'POST', headers: { authorization: 'Bearer nope' } });
        expect(wrong.status).toBe(401);
        const text = logs.join('\n');
        expect(text).not.toContain(config.wallet.seed);
        expect(text).not.toContain(config.adminToken);
        expect(logs.some((l) => l.includes('"msg":"request finished"') && l.includes('"requestId":"req-1"') && l.includes('"tokens":44'))).toBe(true);
    });

    it('sends less traffic to slow, failing and hanging workers; their reputation shows why and is published on-chain', async () => {
        const owners = ['fast', 'slow', 'failing', 'hanging'].map((_, i) => new Address(0, Buffer.alloc(32, 0xa0 + i)));
        const answered = (q: ProxyQuery): WorkerToProxy[] => [
            { type: 'answer.head', requestId: q.requestId, status: 200, headers: {} },
            { type: 'answer.part', requestId: q.requestId, data: 'ok' },
            { type: 'answer.end', requestId: q.requestId, usage: { promptTokens: 1, cachedTokens: 0, completionTokens: 1, reasoningTokens: 0 } },
        ];
        const repQuery = (id: string) => query(id, { model: 'rep-model', maxTokens: 10, maxCoefficient: 1000 });
        const c = clients[0];
        const outcome = (id: string) => c.waitFor<ClientAnswerEnd | ClientAnswerError>((m) => (m.type === 'answer.end' || m.type === 'answer.error') && m.requestId === id);

        // first only the failing and the hanging worker: the request tries both (in either order) and fails, free
        const [failing, hanging] = await Promise.all(owners.slice(2).map((o) => connectWorker(proxy.ports.workers, o, REP_MODEL)));
        const cancels: string[] = [];
        const seenFailing = serve(failing, (q) => [{ type: 'answer.error', requestId: q.requestId, code: 'engine_error', message: 'engine down', status: 502, started: false }]);
        const seenHanging = serve(hanging, () => 'ignore');
        const hook = hanging.hook!;
        hanging.hook = (m) => (m.type === 'cancel' ? cancels.push(m.requestId) : hook(m));
        await until('two rep workers', () => proxy.status().workers.filter((w) => w.model === REP_MODEL).length === 2);
        c.send(repQuery('rep-bad'));
        const bad = await outcome('rep-bad');
        expect([seenFailing.length, seenHanging.length, cancels]).toEqual([1, 1, [seenHanging[0].requestId]]);
        expect([
            { type: 'answer.error', requestId: 'rep-bad', code: 'timeout', status: 504, started: false, message: 'no first token within 500 ms' },
            { type: 'answer.error', requestId: 'rep-bad', code: 'engine_error', status: 502, started: false, message: 'engine down' },
        ]).toContainEqual(bad);

        // then a fast and a slow one: after a first try each, the fast one takes everything
        const [fast, slow] = await Promise.all(owners.slice(0, 2).map((o) => connectWorker(proxy.ports.workers, o, REP_MODEL)));
        workers.push(failing, hanging, fast, slow);
        const seenFast = serve(fast, answered);
        const seenSlow = serve(slow, (q) => {
            setTimeout(() => answered(q).forEach((m) => slow.send(m)), 150);
            return 'ignore';
        });
        await until('four rep workers', () => proxy.status().workers.filter((w) => w.model === REP_MODEL).length === 4);
        const N = 40;
        for (let i = 0; i < N; i++) {
            c.send(repQuery(`rep-${i}`));
            expect((await outcome(`rep-${i}`)).type).toBe('answer.end');
        }
        accounted += 2 * N;
        const shares = [seenFast.length, seenSlow.length, seenFailing.length, seenHanging.length];
        expect(shares[0] + shares[1]).toBe(N);
        expect(shares[0]).toBeGreaterThanOrEqual(N - 2);
        expect(shares.slice(2)).toEqual([1, 1]);

        const byOwner = (o: Address) => proxy.status().workers.find((w) => w.owner === o.toRawString())!.reputation;
        const [rf, rs, rfail, rhang] = owners.map(byOwner);
        expect(rf).toMatchObject({ requests: shares[0], successes: shares[0], failures: {}, windowSeconds: 3600 });
        expect(rfail).toMatchObject({ requests: 1, successes: 0, failures: { engine_error: 1 }, score: 5000 });
        expect(rhang).toMatchObject({ requests: 1, successes: 0, failures: { first_token_timeout: 1 }, score: 5000 });
        expect(rs).toMatchObject({ requests: shares[1], successes: shares[1], failures: {} });
        if (shares[1] > 0) {
            expect(rs.ttftP50Ms).toBeGreaterThanOrEqual(150);
            expect(rs.score).toBeLessThan(rf.score);
        }
        expect(rf.score).toBeGreaterThan(9000);

        // POST /admin/reputation queues a snapshot; the contract's getters then return exactly these figures
        const post = await fetch(`http://127.0.0.1:${proxy.ports.ops}/admin/reputation`, { method: 'POST', headers: { authorization: `Bearer ${config.adminToken}` } });
        const queued = (await post.json()) as { queued: boolean; outboxId: number };
        expect(queued.queued).toBe(true);
        await until('the snapshot on-chain', () => proxy.status().outbox.find((r) => r.id === queued.outboxId && r.outcome === 'delivered'), 20_000);
        const snapshot = await readReputationSnapshot(chain, proxy.contractAddress);
        expect(snapshot?.windowSeconds).toBe(3600);
        const published = proxy.status().workers.filter((w) => w.reputation.requests > 0);
        // one entry per worker contract (two connections of the first worker share its contract and its record)
        expect([...snapshot!.workers.keys()].sort()).toEqual([...new Set(published.map((w) => w.contract))].sort());
        for (const w of published) expect(snapshot!.workers.get(w.contract)!.reputation).toEqual(onChainEntry(w.reputation));
        const again = await fetch(`http://127.0.0.1:${proxy.ports.ops}/admin/reputation`, { method: 'POST', headers: { authorization: `Bearer ${config.adminToken}` } });
        expect(await again.json()).toEqual({ queued: false, reason: 'nothing new to publish' });
    });

    it('refuses a worker whose image hash the root no longer lists, at TLS', async () => {
        expectDelivered(await root.sender.send({ to: root.address, value: toNano('0.1'), body: delHashBody('worker', FAKE_HASH) }));
        await sleep(600); // the proxy re-reads the root after rootRefreshSeconds
        await expect(dialWorker(proxy.ports.workers, workerOwner.address, MODEL)).rejects.toThrow();
    });

    it('detects a copy of its database used by a second instance: one refuses with rollback_detected, neither crashes', async () => {
        const copy = join(dir, 'copy.sqlite');
        const source = new Database(config.database, { readonly: true });
        await source.backup(copy);
        source.close();
        const second = await ProxyService.start({ ...config, database: copy }, deps());
        try {
            const refusing = await until('a refusal', () => [proxy, second].find((p) => p.status().state === 'refusing'));
            expect(refusing.status().refusal).toMatchObject({ code: 'rollback_detected', reason: expect.stringMatching(/^rollback detected: save-state record seqno \d+/) });
            const c = await dialClient(refusing.ports.clients);
            const error = await c.waitType('error');
            expect(error.code).toBe('rollback_detected');
            const health = await fetch(`http://127.0.0.1:${refusing.ports.ops}/healthz`);
            expect(health.status).toBe(503);
            expect(proxy.status().contract).toBe(second.status().contract);
        } finally {
            await second.stop();
        }
    });
});
