import { Address, toNano } from '@ton/core';
import { createHash } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import OpenAI from 'openai';
import { tmpdir } from 'os';
import path from 'path';
import { ChainClient } from '../../offchain/chain';
import { cocoonWalletAdapter, decodeProxyInbound, devnetSeed, keyFromSeedHex, readClientContract, TransactionWatcher, type ProxyInbound } from '../../offchain/chain';
import { requestFaucet } from '../../offchain/chain/faucet';
import { APIConnectionError, ClientHttpServer, InferenceClient, InternalServerError, ProxyRefusedError, type ClientConfig } from '../../offchain/client';
import { Devnet } from '../../offchain/devnet';
import { deployLocalRoot, type DeployedRoot } from '../../offchain/localnet';
import { FAKE_IMAGE_HASH } from '../../offchain/ratls';
import { registerProxyBody } from '../../wrappers/root';
import { startTestDevnet } from '../devnet/helpers';
import { FakeProxy } from './fakeProxy';

const SECRET = 'client-test-secret';
const SEED = devnetSeed('client-test-wallet').toString('hex');
const OWNER = '0:' + '0c'.repeat(32);

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
            expect(client.receipts({ requestId: stream.requestId })).toEqual([expect.objectContaining({ path: '/v1/chat/completions', model: 'test-model', receipt })]);
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
            proxy.receiptHook = undefined;
            expect(client.receipts({ requestId: stream.requestId })).toEqual([]);
        });
    });
});
