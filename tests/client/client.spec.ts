import { Address, toNano, type Transaction } from '@ton/core';
import { createHash } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { createServer } from 'net';
import OpenAI from 'openai';
import { tmpdir } from 'os';
import path from 'path';
import { ChainClient } from '../../offchain/chain';
import { cocoonWalletAdapter, decodeProxyInbound, devnetSeed, keyFromSeedHex, readClientContract, TransactionWatcher, type ProxyInbound } from '../../offchain/chain';
import { requestFaucet } from '../../offchain/chain/faucet';
import { APIConnectionError, APITimeoutError, APIUserAbortError, ClientHttpServer, InferenceClient, InternalServerError, ProxyRefusedError, type ClientConfig } from '../../offchain/client';
import { Devnet } from '../../offchain/devnet';
import { deployLocalRoot, type DeployedRoot } from '../../offchain/localnet';
import { clientPeerPolicy, listenProtocol } from '../../offchain/protocol';
import { createQuoteProvider, FAKE_IMAGE_HASH, generateIdentity, PeerVerifier } from '../../offchain/ratls';
import { registerProxyBody } from '../../wrappers/root';
import { startTestDevnet } from '../devnet/helpers';
import { FakeProxy } from './fakeProxy';

const SECRET = 'client-test-secret';
const SEED = devnetSeed('client-test-wallet').toString('hex');
const OWNER = '0:' + '0c'.repeat(32);

/** A response body as loosely typed JSON, for assertions. */
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

const OP_PAYOUT = 0xc59a7cd3;
const OP_EXCESS = 0x2565934c;

/** A port nothing listens on (bound once, then closed). */
async function deadPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

/** Internal message into `t`: sender, value, op and query_id of its body. */
function inbound(t: Transaction): { from: Address; value: bigint; op: number | null; queryId: bigint | null } | null {
    const m = t.inMessage;
    if (m?.info.type !== 'internal') return null;
    const body = m.body.beginParse();
    const op = body.remainingBits >= 32 ? body.loadUint(32) : null;
    const queryId = body.remainingBits >= 64 ? body.loadUintBig(64) : null;
    return { from: m.info.src, value: m.info.value.coins, op, queryId };
}

describe('InferenceClient against a fake proxy on the devnet', () => {
    let devnet: Devnet;
    let chain: ChainClient;
    let root: DeployedRoot;
    let proxy: FakeProxy;
    let dir: string;
    let wallet: Address;
    let dbCount = 0;

    const config = (over: Partial<ClientConfig> = {}): ClientConfig => ({
        root: root.address.toString(),
        chain: { endpoints: [{ url: devnet.endpoint }], pollMs: 50 },
        wallet: { seed: SEED, owner: OWNER },
        secret: SECRET,
        tdx: { peerProvider: 'fake' },
        database: path.join(dir, `client-${dbCount++}.db`),
        authTimeoutSeconds: 30,
        ...over,
    });

    beforeAll(async () => {
        ({ devnet, chain } = await startTestDevnet());
        dir = mkdtempSync(path.join(tmpdir(), 'cocoon-client-'));
        root = await deployLocalRoot(chain, devnet.endpoint, { proxyHashes: [BigInt('0x' + FAKE_IMAGE_HASH)] });
        proxy = await FakeProxy.start(chain, devnet.endpoint, root.address, root.params);
        // registered after the listener exists, so that its port is known: the client finds it through the root
        const o = await root.sender.send({ to: root.address, value: toNano('0.1'), body: registerProxyBody(proxy.endpoint) });
        expect(o.status).toBe('delivered');
        wallet = (await cocoonWalletAdapter(keyFromSeedHex(SEED), Address.parse(OWNER))).address;
        await requestFaucet(devnet.endpoint, wallet, toNano('40'));
    }, 60_000);

    afterAll(async () => {
        await proxy?.stop();
        await devnet?.stop();
        rmSync(dir, { recursive: true, force: true });
    });

    describe('first connection (long auth) and requests', () => {
        let client: InferenceClient;
        afterAll(() => client?.stop());
        afterEach(() => (proxy.receiptHook = undefined));

        it('deploys the client contract with the deposit and secret hash, registers the nonce on-chain, and is authorized', async () => {
            const since = (await chain.getAccount(proxy.contract)).last?.lt;
            client = await InferenceClient.start(config(), { logSink: () => undefined });
            const contract = proxy.clientContractOf(wallet);
            const state = await readClientContract(chain, contract);
            expect(state.owner.equals(wallet)).toBe(true);
            expect(state.proxyAddress.equals(proxy.contract)).toBe(true);
            expect(state.balance).toBe(toNano('5'));
            expect(state.stake).toBe(toNano('1'));
            expect(state.tokensUsed).toBe(0n);
            expect(state.secretHash).toBe(BigInt('0x' + createHash('sha256').update(SECRET).digest('hex')));
            const hello = proxy.received[0];
            expect(hello.map((m) => m.type)).toEqual(['client.hello', 'client.auth']);
            expect(hello[0]).toMatchObject({ owner: wallet.toRawString() });
            expect(hello[1]).toEqual({ type: 'client.auth', kind: 'long' });
            const txs = await new TransactionWatcher<ProxyInbound>(chain, proxy.contract, { sinceLt: since, decode: decodeProxyInbound }).poll();
            const registers = txs.filter((t) => t.decoded?.kind === 'clientRequest' && t.decoded.request.payload?.kind === 'register');
            expect(registers).toHaveLength(1);
            expect(registers[0].from?.equals(contract)).toBe(true);
            expect(client.status()).toMatchObject({ connected: true, proxy: { endpoint: proxy.endpoint, contract: proxy.info.contract } });
        });

        it('streams a chat completion through the library, verifies and stores its receipt', async () => {
            const stream = await client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }], stream: true, max_coefficient: 2000 });
            let text = '';
            for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
            expect(text).toBe('Hello world');
            const receipt = await stream.receipt;
            expect(receipt.requestId).toBe(stream.requestId);
            expect(client.receipts({ requestId: stream.requestId })).toEqual([receipt]);
            expect(client.receipts({ limit: 1 })).toEqual([receipt]);
            const query = proxy.received[0].find((m) => m.type === 'client.query' && m.requestId === stream.requestId);
            // client-only fields are taken out before forwarding; the reservation defaults to 1000 tokens
            expect(query).toMatchObject({ maxCoefficient: 2000, maxTokens: 1000, timeoutMs: 120_000 });
            expect(JSON.parse((query as { body: string }).body)).toEqual({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }], stream: true });
        });

        it('returns a non-streamed completion with its receipt attached', async () => {
            const res = await client.completions.create({ model: 'test-model', prompt: 'say hello', max_tokens: 7 });
            expect(res.choices[0].text).toBe('Hello world');
            expect(res._receipt.requestId).toBe(res._request_id);
            expect(Object.keys(res)).not.toContain('_receipt');
        });

        it('fails a request whose receipt has a wrong response hash or signature, and logs nothing as paid', async () => {
            proxy.receiptHook = (r) => ({ ...r, responseHash: '00'.repeat(32) });
            await expect(client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
                constructor: InternalServerError,
                status: 502,
                code: 'bad_receipt',
            });
            proxy.receiptHook = (r) => ({ ...r, signature: (r.signature[0] === 'a' ? 'b' : 'a') + r.signature.slice(1) });
            const stream = await client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'x' }], stream: true });
            const seen: string[] = [];
            await expect(
                (async () => {
                    for await (const c of stream) seen.push(c.choices[0]?.delta.content ?? '');
                })(),
            ).rejects.toThrow(/receipt rejected: receipt signature does not verify/);
            expect(seen.join('')).toBe('Hello world');
            await expect(stream.receipt).rejects.toMatchObject({ code: 'bad_receipt' });
            expect(client.receipts({ requestId: stream.requestId })).toEqual([]);
        });

        describe('HTTP API', () => {
            let http: ClientHttpServer;
            let oa: OpenAI;
            const ADMIN = 'admin-token-1';
            beforeAll(async () => {
                http = await ClientHttpServer.start(client, { port: 0, adminToken: ADMIN });
                oa = new OpenAI({ baseURL: `${http.url}/v1`, apiKey: 'unused', maxRetries: 0 });
            });
            afterAll(() => http?.close());
            const post = (p: string, body: string, headers: Record<string, string> = {}) =>
                fetch(`${http.url}${p}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

            it('serves the official openai package: streaming chat, chat, completions, models', async () => {
                const stream = await oa.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }], stream: true });
                const deltas: string[] = [];
                for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta.content ?? '');
                expect(deltas.join('')).toBe('Hello world');

                const { data, response } = await oa.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
                expect(data.choices[0].message.content).toBe('Hello world');
                const requestId = response.headers.get('x-cocoon-request-id')!;
                const receipt = JSON.parse(Buffer.from(response.headers.get('x-cocoon-receipt')!, 'base64').toString());
                expect(receipt.requestId).toBe(requestId);
                expect(client.receipts({ requestId })).toEqual([receipt]);

                const completion = await oa.completions.create({ model: 'test-model', prompt: 'hello' });
                expect(completion.choices[0].text).toBe('Hello world');

                const ids: string[] = [];
                for await (const m of oa.models.list()) ids.push(m.id);
                expect(ids).toEqual(['test-model']);
                const models = await json(fetch(`${http.url}/v1/models`));
                expect(models.data[0]).toMatchObject({
                    owned_by: 'cocoon',
                    price_per_token: toNano('0.001').toString(),
                    workers: [{ coefficient: 1500, price_per_token: toNano('0.0015').toString(), active_requests: 0, max_active_requests: 8 }],
                });
            });

            it('ends a stream with the receipt as an SSE comment, or with an error event when it fails midway', async () => {
                const body = JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }], stream: true });
                const ok = await post('/v1/chat/completions', body);
                expect(ok.headers.get('content-type')).toMatch(/^text\/event-stream/);
                const text = await ok.text();
                const m = /\n: cocoon-receipt (\S+)\n/.exec(text);
                expect(JSON.parse(Buffer.from(m![1], 'base64').toString()).requestId).toBe(ok.headers.get('x-cocoon-request-id'));

                proxy.receiptHook = (r) => ({ ...r, responseHash: '11'.repeat(32) });
                const bad = await (await post('/v1/chat/completions', body)).text();
                expect(bad).not.toMatch(/\[DONE\]/);
                expect(bad).toMatch(/"cached_tokens":1\}\}\}\n\nevent: error\ndata: \{"error":\{"message":"receipt rejected: receipt responseHash is 1{64}/);
                const stream = await oa.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }], stream: true });
                await expect(
                    (async () => {
                        for await (const c of stream) void c;
                    })(),
                ).rejects.toBeInstanceOf(OpenAI.APIError);
            });

            it('reports the verified attestation, health, status and metrics', async () => {
                const a = await json(fetch(`${http.url}/v1/attestation`));
                expect(a).toMatchObject({
                    proxy: proxy.endpoint,
                    provider: 'fake',
                    imageHash: FAKE_IMAGE_HASH,
                    registry: { root: root.address.toString(), imageHashInRoot: true },
                    certificate: { valid: true },
                    paymentKey: proxy.info.publicKey,
                    proxyContract: proxy.info.contract,
                });
                expect(a.steps.find((s: { name: string }) => s.name === 'imageHash')).toMatchObject({ ok: true, detail: FAKE_IMAGE_HASH });
                expect(a.steps.every((s: { ok: boolean }) => s.ok)).toBe(true);
                expect(await json(fetch(`${http.url}/healthz`))).toEqual({ ok: true });
                expect(await json(fetch(`${http.url}/status`))).toMatchObject({ connected: true, payments: { rejectedCharges: 0 } });
                expect(await (await fetch(`${http.url}/metrics`)).text()).toMatch(/cocoon_client_requests_total\{path="\/v1\/chat\/completions",outcome="ok"\} \d+/);
            });

            it('answers errors in OpenAI shape: 400, 404, 405, 413', async () => {
                const malformed = await post('/v1/chat/completions', '{"model": ');
                expect(malformed.status).toBe(400);
                expect(await json(malformed)).toEqual({ error: { message: 'request body is not valid JSON', type: 'invalid_request_error', param: null, code: 'invalid_request' } });
                const noModel = await post('/v1/chat/completions', JSON.stringify({ messages: [] }));
                expect(noModel.status).toBe(400);
                expect((await json(noModel)).error).toMatchObject({ param: 'model', code: 'invalid_value' });
                const badCoefficient = await post('/v1/completions', JSON.stringify({ model: 'm', prompt: 'p', max_coefficient: -1 }));
                expect((await json(badCoefficient)).error).toMatchObject({ param: 'max_coefficient' });
                expect((await fetch(`${http.url}/v1/nothing`)).status).toBe(404);
                const get = await fetch(`${http.url}/v1/chat/completions`);
                expect(get.status).toBe(405);
                expect(get.headers.get('allow')).toBe('POST');
                const big = await post('/v1/chat/completions', JSON.stringify({ model: 'm', messages: [], pad: 'x'.repeat(1024 * 1024) }));
                expect(big.status).toBe(413);
                expect((await json(big)).error.code).toBe('body_too_large');
                await expect(oa.chat.completions.create({ model: 'test-model', messages: 'no' as never })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
            });

            it('requires the bearer API key when one is configured', async () => {
                const keyed = await ClientHttpServer.start(client, { port: 0, apiKey: 'sk-client' });
                try {
                    const res = await fetch(`${keyed.url}/v1/models`);
                    expect(res.status).toBe(401);
                    expect((await json(res)).error.type).toBe('authentication_error');
                    await expect(new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: 'wrong', maxRetries: 0 }).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
                    const ids: string[] = [];
                    for await (const m of new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: 'sk-client', maxRetries: 0 }).models.list()) ids.push(m.id);
                    expect(ids).toEqual(['test-model']);
                    expect((await fetch(`${keyed.url}/healthz`)).status).toBe(200);
                } finally {
                    await keyed.close();
                }
            });

            it('guards admin actions: POST only, admin token; a top-up lands with its transaction hash', async () => {
                expect((await fetch(`${http.url}/admin/charge`)).status).toBe(405);
                const anon = await post('/admin/topup', '{"ton":"1"}');
                expect(anon.status).toBe(401);
                expect((await post('/admin/topup', '{"ton":"1"}', { authorization: 'Bearer nope' })).status).toBe(401);
                const contract = proxy.clientContractOf(wallet);
                const before = await readClientContract(chain, contract);
                const res = await post('/admin/topup', '{"ton":"1"}', { authorization: `Bearer ${ADMIN}` });
                const body = await json(res);
                expect(res.status).toBe(200);
                expect(body).toMatchObject({ state: 'confirmed', outcome: 'delivered', exitCode: 0 });
                expect(body.walletTx).toMatch(/^[0-9a-f]{64}$/);
                expect((await readClientContract(chain, contract)).balance).toBe(before.balance + toNano('1'));
                const none = await post('/admin/charge', '', { authorization: `Bearer ${ADMIN}` });
                expect(none.status).toBe(409);
                expect((await json(none)).error.code).toBe('nothing_to_charge');
            });
        });

        describe('signed charges and settlement', () => {
            const contract = () => proxy.clientContractOf(wallet);
            const rejected = () => (client.status().payments as { rejectedCharges: number }).rejectedCharges;
            const until = async (what: () => Promise<boolean> | boolean, ms = 20_000) => {
                const end = Date.now() + ms;
                while (!(await what())) {
                    if (Date.now() > end) throw new Error('condition not met in time');
                    await new Promise((r) => setTimeout(r, 50));
                }
            };

            it('rejects charges for another contract or signed by another key', async () => {
                const other = Address.parse('0:' + '99'.repeat(32));
                proxy.pushLedger({ signedCharge: proxy.charge(10n, other) });
                await until(() => rejected() === 1);
                proxy.pushLedger({ signedCharge: proxy.charge(10n, contract(), keyFromSeedHex('11'.repeat(32))) });
                await until(() => rejected() === 2);
                expect(client.status().payments).toMatchObject({ bestCharge: null });
            });

            it('charges itself once uncharged usage exceeds half the stake, and refuses a replayed (lower) charge', async () => {
                const before = await readClientContract(chain, contract());
                proxy.pushLedger({ tokensMax: '600', committedChain: '600', signedCharge: proxy.charge(600n, contract()) });
                await until(async () => (await readClientContract(chain, contract())).tokensUsed === 600n);
                const after = await readClientContract(chain, contract());
                expect(after.balance).toBe(before.balance - 600n * toNano('0.001'));
                proxy.pushLedger({ tokensMax: '600', signedCharge: proxy.charge(400n, contract()) });
                await until(() => rejected() === 3);
                expect(client.status().payments).toMatchObject({ bestCharge: '600' });
            });

            it('tops up when paid but unused tokens fall below half the stake', async () => {
                const before = await readClientContract(chain, contract());
                const paid = before.balance / toNano('0.001') + before.tokensUsed;
                proxy.pushLedger({ tokensMax: (paid - 400n).toString() });
                await until(async () => (await readClientContract(chain, contract())).balance === before.balance + toNano('5'));
            });
        });

        it('cancels a request at the proxy when its timeout passes or its signal aborts', async () => {
            const timedOut = client.chat.completions.create({ model: 'hold', messages: [{ role: 'user', content: 'wait' }], timeout: 0.2 });
            await expect(timedOut).rejects.toBeInstanceOf(APITimeoutError);
            const controller = new AbortController();
            const aborted = client.completions.create({ model: 'hold', prompt: 'wait' }, { signal: controller.signal });
            setTimeout(() => controller.abort(), 100);
            await expect(aborted).rejects.toBeInstanceOf(APIUserAbortError);
            const sent = proxy.received.at(-1)!;
            while (sent.filter((m) => m.type === 'cancel').length < 2) await new Promise((r) => setTimeout(r, 20));
            const queries = sent.filter((m) => m.type === 'client.query' && m.model === 'hold').map((m) => (m as { requestId: string }).requestId);
            expect(queries).toHaveLength(2);
            expect(sent.filter((m) => m.type === 'cancel')).toEqual(queries.map((requestId) => ({ type: 'cancel', requestId })));
            // the timeout itself is not forwarded; the proxy gets it as timeoutMs
            expect(sent.find((m) => m.type === 'client.query' && m.requestId === queries[0])).toMatchObject({ timeoutMs: 200 });
        });

        it('fails a request in flight when the connection drops, then reconnects with short auth', async () => {
            const held = client.chat.completions.create({ model: 'hold', messages: [{ role: 'user', content: 'wait' }] });
            await new Promise((r) => setTimeout(r, 100));
            const connections = proxy.connections.length;
            proxy.dropAll();
            await expect(held).rejects.toBeInstanceOf(APIConnectionError);
            const until = Date.now() + 15_000;
            while (proxy.received.length === connections || proxy.received.at(-1)!.length < 2) {
                if (Date.now() > until) throw new Error('no reconnect');
                await new Promise((r) => setTimeout(r, 50));
            }
            expect(proxy.received.at(-1)!.map((m) => m.type)).toEqual(['client.hello', 'client.auth']);
            expect(proxy.received.at(-1)![1]).toEqual({ type: 'client.auth', kind: 'short', secret: SECRET });
            const res = await client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'again' }] });
            expect(res.choices[0].message.content).toBe('Hello world');
            expect(client.status()).toMatchObject({ sessions: 2 });
        });
    });

    describe('refusing proxies', () => {
        afterEach(() => (proxy.welcomeHook = undefined));
        it('refuses a proxy whose image hash is not in the root before sending it anything', async () => {
            const other = await deployLocalRoot(chain, devnet.endpoint, { ownerName: 'client-test-root-2', proxyHashes: [1n] });
            const before = proxy.received.length;
            const start = InferenceClient.start(config({ root: other.address.toString(), proxies: [proxy.endpoint] }), { logSink: () => undefined });
            await expect(start).rejects.toBeInstanceOf(ProxyRefusedError);
            await expect(start).rejects.toMatchObject({ check: 'imageHash', proxy: proxy.endpoint });
            expect(proxy.received.length).toBe(before);
        });

        it('refuses a welcome whose client contract or payment key does not match', async () => {
            proxy.welcomeHook = (w) => ({ ...w, clientContract: '0:' + '42'.repeat(32) });
            await expect(InferenceClient.start(config({ proxies: [proxy.endpoint] }), { logSink: () => undefined })).rejects.toMatchObject({ check: 'clientContract' });
            expect(proxy.received.at(-1)!.map((m) => m.type)).toEqual(['client.hello']);
            proxy.welcomeHook = (w) => ({ ...w, proxy: { ...w.proxy, publicKey: '42'.repeat(32) } });
            await expect(InferenceClient.start(config({ proxies: [proxy.endpoint] }), { logSink: () => undefined })).rejects.toMatchObject({
                check: 'binding',
                message: expect.stringMatching(/payment key differs/),
            });
            expect(proxy.received.at(-1)!.map((m) => m.type)).toEqual(['client.hello']);
        });
    });

    describe('owner withdraw and refund through the admin API (a second wallet, so that closing leaves the others alone)', () => {
        const SEED_2 = devnetSeed('client-test-wallet-2').toString('hex');
        const ADMIN = 'admin-token-2';
        let owner: InferenceClient;
        let http: ClientHttpServer;
        let wallet2: Address;
        let contract: Address;
        const admin = (p: string, body = '') => fetch(`${http.url}${p}`, { method: 'POST', body, headers: { authorization: `Bearer ${ADMIN}` } });
        /** The transaction of `address` with hash `hex` (among its newest). */
        const txOf = async (address: Address, hex: string) =>
            (await chain.getTransactions(address, { limit: 20 })).find((t) => t.hash().toString('hex') === hex);
        /** Waits for the proxy's Payout and Excess of request `queryId` into the wallet; their values. */
        const proxyPaid = async (queryId: bigint, sinceLt: bigint) => {
            const end = Date.now() + 15_000;
            for (;;) {
                const ins = (await chain.getTransactions(wallet2, { limit: 20 }))
                    .filter((t) => t.lt > sinceLt)
                    .map(inbound)
                    .filter((m) => m !== null && m.from.equals(proxy.contract) && m.queryId === queryId);
                const payout = ins.find((m) => m!.op === OP_PAYOUT);
                const excess = ins.find((m) => m!.op === OP_EXCESS);
                if (payout && excess) return { payout: payout.value, excess: excess.value };
                if (Date.now() > end) throw new Error('the proxy did not pay the wallet');
                await new Promise((r) => setTimeout(r, 50));
            }
        };
        const result = (kind: string, exitCode: number) => ({
            intent: expect.stringMatching(new RegExp(`^${kind}:${contract.toRawString()}:\\d+$`)),
            state: 'confirmed',
            outcome: exitCode === 0 ? 'delivered' : 'failed',
            walletTx: expect.stringMatching(/^[0-9a-f]{64}$/),
            destinationTx: expect.stringMatching(/^[0-9a-f]{64}$/),
            exitCode,
            reason: null,
        });

        beforeAll(async () => {
            wallet2 = (await cocoonWalletAdapter(keyFromSeedHex(SEED_2), Address.parse(OWNER))).address;
            await requestFaucet(devnet.endpoint, wallet2, toNano('20'));
            const cfg = config({ wallet: { seed: SEED_2, owner: OWNER }, proxies: [proxy.endpoint] });
            owner = await InferenceClient.start(cfg, { logSink: () => undefined });
            http = await ClientHttpServer.start(owner, { port: 0, adminToken: ADMIN });
            contract = proxy.clientContractOf(wallet2);
        }, 30_000);
        afterAll(async () => {
            await http?.close();
            await owner?.stop();
        });

        it('withdraw: the balance goes from the deposit to exactly the stake, and the proxy pays exactly the difference to the wallet', async () => {
            const before = await readClientContract(chain, contract);
            expect(before).toMatchObject({ state: 0, balance: toNano('5'), stake: toNano('1'), tokensUsed: 0n, unlockTs: 0 });
            const walletBefore = await chain.getAccount(wallet2);
            const res = await admin('/admin/withdraw');
            const body = await json(res);
            expect(res.status).toBe(200);
            expect(body).toEqual(result('withdraw', 0));
            const after = await readClientContract(chain, contract);
            expect(after).toMatchObject({ state: 0, balance: toNano('1'), stake: toNano('1'), tokensUsed: 0n, unlockTs: 0 });
            // the hashes are the wallet's transaction and the client contract's, which the wallet's message caused
            expect(await txOf(wallet2, body.walletTx)).toBeDefined();
            const dest = (await txOf(contract, body.destinationTx))!;
            expect(inbound(dest)!.from.equals(wallet2)).toBe(true);
            // refund_granted: the proxy pays the 4 TON exactly (its own forwarding fee apart), then the excess
            const paid = await proxyPaid(inbound(dest)!.queryId!, walletBefore.last!.lt);
            expect(paid.payout).toBe(toNano('4'));
            // the wallet is 4 TON richer less the fees, which stay below the contracts' 0.1 TON commission estimate
            const gained = (await chain.getBalance(wallet2)) - walletBefore.balance;
            expect(gained).toBeLessThan(toNano('4'));
            expect(gained).toBeGreaterThan(toNano('4') - toNano('0.1'));
        });

        it('a second withdraw finds nothing above the stake: exit 1001, answered 502, nothing changes', async () => {
            const res = await admin('/admin/withdraw');
            expect(res.status).toBe(502);
            expect(await json(res)).toEqual(result('withdraw', 1001));
            expect(await readClientContract(chain, contract)).toMatchObject({ state: 0, balance: toNano('1'), stake: toNano('1') });
        });

        it('request_refund: normal → closing, unlock_ts = now + client delay, refunds what exceeds the stake; early ops fail', async () => {
            const top = await admin('/admin/topup', '{"ton":"2"}');
            expect(top.status).toBe(200);
            expect((await readClientContract(chain, contract)).balance).toBe(toNano('3'));
            const walletBefore = await chain.getAccount(wallet2);
            const res = await admin('/admin/refund');
            const body = await json(res);
            expect(res.status).toBe(200);
            expect(body).toEqual(result('refund', 0));
            const dest = (await txOf(contract, body.destinationTx))!;
            expect(proxy.params.clientDelayBeforeClose).toBe(30);
            const after = await readClientContract(chain, contract);
            expect(after).toMatchObject({ state: 1, balance: toNano('1'), stake: toNano('1'), tokensUsed: 0n, unlockTs: dest.now + 30 });
            expect((await proxyPaid(inbound(dest)!.queryId!, walletBefore.last!.lt)).payout).toBe(toNano('2'));
            // closing: asking again before unlock_ts fails with 1011, a withdraw with 1006; the state stays as it is
            const early = await admin('/admin/refund');
            expect(early.status).toBe(502);
            expect(await json(early)).toEqual(result('refund', 1011));
            const withdraw = await admin('/admin/withdraw');
            expect(withdraw.status).toBe(502);
            expect(await json(withdraw)).toEqual(result('withdraw', 1006));
            const still = await readClientContract(chain, contract);
            expect(still).toMatchObject({ state: 1, balance: toNano('1'), unlockTs: after.unlockTs });
        });
    });

    describe('chain reads', () => {
        it('settling after each request reads the client contract at most once per 5 s, not once per request', async () => {
            const getters: string[] = [];
            const counting = new Proxy(chain, {
                get: (target, key) =>
                    key === 'runGetMethod'
                        ? (a: Address, method: string, args?: never) => (getters.push(`${a.toRawString()} ${method}`), target.runGetMethod(a, method, args))
                        : Reflect.get(target, key),
            });
            const client = await InferenceClient.start(config(), { chain: counting, logSink: () => undefined });
            try {
                const contract = proxy.clientContractOf(wallet).toRawString();
                // each answer followed by the proxy's ledger, as the real proxy does: each ledger runs a settlement
                const ask = async (content: string, tokensMax: number) => {
                    await client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content }] });
                    proxy.pushLedger({ tokensMax: String(tokensMax) });
                    await new Promise((r) => setTimeout(r, 100));
                };
                await ask('first', 10);
                const before = getters.filter((g) => g.startsWith(contract)).length;
                expect(before).toBeGreaterThan(0);
                for (let i = 0; i < 5; i++) await ask(`again ${i}`, 20 + i);
                expect(getters.filter((g) => g.startsWith(contract)).length - before).toBe(0);
            } finally {
                await client.stop();
            }
        });
    });

    describe('failover', () => {
        it('skips a configured proxy that is not listening and one that fails attestation, connects to the next and attests it', async () => {
            const dead = `127.0.0.1:${await deadPort()}`;
            let accepted = 0;
            const unattested = await listenProtocol({
                port: 0,
                identity: await generateIdentity({ provider: createQuoteProvider('none') }),
                verifier: new PeerVerifier({ policy: clientPeerPolicy() }),
                log: () => undefined,
                onConnection: (ws) => {
                    accepted++;
                    ws.terminate();
                },
            });
            const noQuote = `127.0.0.1:${unattested.port}`;
            const lines: string[] = [];
            // the client shuffles with sort(() => Math.random() - 0.5): 0.5 compares equal and the stable sort keeps this order
            const random = jest.spyOn(Math, 'random').mockReturnValue(0.5);
            let client: InferenceClient | undefined;
            try {
                client = await InferenceClient.start(config({ proxies: [dead, noQuote, proxy.endpoint] }), { logSink: (l) => lines.push(l) });
                random.mockRestore();
                const skipped = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'proxy not usable');
                expect(skipped.map((l) => [l.proxy, l.check])).toEqual([
                    [dead, 'connect'],
                    [noQuote, 'provider'],
                ]);
                expect(accepted).toBe(0);
                expect(client.attestation()).toMatchObject({
                    proxy: proxy.endpoint,
                    provider: 'fake',
                    imageHash: FAKE_IMAGE_HASH,
                    registry: { imageHashInRoot: true },
                    paymentKey: proxy.info.publicKey,
                    proxyContract: proxy.info.contract,
                    clientContract: proxy.clientContractOf(wallet).toRawString(),
                });
                expect(client.status()).toMatchObject({ connected: true, proxy: { endpoint: proxy.endpoint } });
                // short auth: the contract of the first wallet already has the secret
                expect(proxy.received.at(-1)!.map((m) => m.type)).toEqual(['client.hello', 'client.auth']);
                const res = await client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'failover' }] });
                expect(res.choices[0].message.content).toBe('Hello world');
                // its per-proxy figures: the next connection tries the proxy that served it first, the others after
                const proxies = client.status().proxies as { endpoint: string; connects: number; connectFailures: number; requests: number; failures: object }[];
                expect(proxies.map((p) => [p.endpoint, p.connects, p.connectFailures, p.requests, p.failures])).toEqual(
                    [
                        [dead, 0, 1, 0, {}],
                        [noQuote, 0, 1, 0, {}],
                        [proxy.endpoint, 1, 0, 1, {}],
                    ].sort((a, b) => (a[0] as string).localeCompare(b[0] as string)),
                );
            } finally {
                random.mockRestore();
                await client?.stop();
                await unattested.close();
            }
        });
    });
});
