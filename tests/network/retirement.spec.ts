import { Address, toNano, type Transaction } from '@ton/core';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { ChainClient } from '../../offchain/chain/client';
import { Devnet } from '../../offchain/devnet';
import { readClientContract, readProxyContract, readWorkerContract } from '../../offchain/chain/cocoon/contracts';
import { devnetKey } from '../../offchain/chain/cocoon/keys';
import { walletV4Adapter } from '../../offchain/chain/walletAdapter';
import { WalletSender } from '../../offchain/chain/walletSender';
import { LOCAL_PRICES, startNetwork, type LocalNetwork } from '../../offchain/cli/up/network';
import { changePriceBody } from '../../wrappers/root';

const OP_PAYOUT = 0xc59a7cd3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await f();
        if (v) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(250);
    }
}

/** Payouts (op 0xc59a7cd3) the contract at `from` sent, summed per destination (raw address). */
async function payoutsFrom(net: LocalNetwork, from: Address): Promise<Map<string, bigint>> {
    const txs: Transaction[] = await net.chain.getTransactions(from, { limit: 100 });
    const sums = new Map<string, bigint>();
    for (const tx of txs) {
        for (const m of tx.outMessages.values()) {
            if (m.info.type !== 'internal') continue;
            const body = m.body.beginParse();
            if (body.remainingBits < 32 || body.loadUint(32) !== OP_PAYOUT) continue;
            const to = m.info.dest.toRawString();
            sums.set(to, (sums.get(to) ?? 0n) + m.info.value.coins);
        }
    }
    return sums;
}

/** The registry owner of a local network doubles the price (params version + 1: every contract address changes). */
async function doublePrice(chain: ChainClient, root: Address): Promise<void> {
    const owner = new WalletSender(chain, walletV4Adapter(devnetKey('root-owner')), { pollMs: 50 });
    const changed = await owner.send({ to: root, value: toNano('0.1'), body: changePriceBody(2000n, 1600n) });
    owner.stop();
    expect(changed.status).toBe('delivered');
}

/**
 * A params change on the root: the proxy retires its contract (signed close, a grant-refund per client, a last
 * payout per worker, close-complete after the close delay) and serves on a contract of the new generation, where
 * the client and the worker follow it by themselves.
 */
describe('a params generation change', () => {
    let net: LocalNetwork;
    const logs: string[] = [];

    beforeAll(async () => {
        net = await startNetwork({
            clientPort: 0,
            progress: () => {},
            logSink: (l) => logs.push(l),
            saveStateSeconds: 1,
            rootRefreshSeconds: 1,
            params: { proxyDelayBeforeClose: 4, clientDelayBeforeClose: 2 },
        });
    }, 120_000);
    afterAll(async () => {
        await net?.stop();
    });

    it('retires the old contract with every account settled exactly, and serves the new generation at the new price', async () => {
        const old = { proxy: net.proxyContract, client: net.clientContract, worker: net.workerContract };
        const first = await net.client.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'before' }], max_tokens: 5 });
        const tokens = BigInt(first._receipt.tokens.total);
        expect(BigInt(first._receipt.cost)).toBe(tokens * LOCAL_PRICES.pricePerToken);
        const deposit = (await readClientContract(net.chain, old.client)).balance;
        const stake = (await readProxyContract(net.chain, old.proxy)).stake;

        await doublePrice(net.chain, net.root);

        // the proxy moves to the new contract on the same ports; the client follows it and pays the new price
        const newProxy = await until('the new generation', () => !net.proxy.contractAddress.equals(old.proxy) && net.proxy.contractAddress);
        const second = await until('an answer from the new generation', async () => {
            try {
                return await net.client.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'after' }], max_tokens: 5 });
            } catch {
                return undefined;
            }
        });
        expect(second._receipt.proxyContract).toBe(newProxy.toRawString());
        expect(BigInt(second._receipt.cost)).toBe(BigInt(second._receipt.tokens.total) * 2000n);
        expect(second._receipt.clientTotal).toBe(String(second._receipt.tokens.total));

        // the old generation, account by account
        await until('the old contract closed', async () => (await readProxyContract(net.chain, old.proxy)).state === 2, 90_000);
        const client = await readClientContract(net.chain, old.client);
        expect({ state: client.state, tokensUsed: client.tokensUsed, balance: client.balance }).toEqual({ state: 2, tokensUsed: tokens, balance: 0n });
        const worker = await readWorkerContract(net.chain, old.worker);
        expect({ state: worker.state, tokens: worker.tokens }).toEqual({ state: 2, tokens });
        const proxy = await readProxyContract(net.chain, old.proxy);
        expect({ balance: proxy.balance, stake: proxy.stake }).toEqual({ balance: 0n, stake: 0n });

        const paid = await payoutsFrom(net, old.proxy);
        const clientWallet = (net.client.client.status() as { wallet: string }).wallet;
        const workerWallet = (net.worker.status() as { wallet: string }).wallet;
        // the client gets its deposit back less exactly what it used; the worker exactly its fee for it
        expect(paid.get(Address.parse(clientWallet).toRawString())).toBe(deposit - tokens * LOCAL_PRICES.pricePerToken);
        expect(paid.get(Address.parse(workerWallet).toRawString())).toBe(tokens * LOCAL_PRICES.workerFeePerToken);
        // the owner: the stake and the earnings (price − fee per token) with what else the contract held
        const ownerGot = paid.get((await readProxyContract(net.chain, newProxy)).owner.toRawString())!;
        expect(ownerGot >= stake + tokens * (LOCAL_PRICES.pricePerToken - LOCAL_PRICES.workerFeePerToken)).toBe(true);

        const retirements = () => (net.proxy.status() as { retirements: { contract: string; phase: string; clients: number; workers: number }[] }).retirements;
        await until('the retirement done', () => retirements()[0]?.phase === 'done');
        expect(retirements()).toEqual([{ contract: old.proxy.toRawString(), phase: 'done', clients: 1, workers: 1 }]);
        // a log line per step, for the operator
        const steps = logs
            .filter((l) => l.includes('"component":"proxy"') && /old generation|new params generation|old proxy contract/.test(l))
            .map((l) => JSON.parse(l).msg);
        expect(steps).toEqual([
            'the root params changed: this proxy contract belongs to an old generation',
            'proxy serving a new params generation',
            'retiring an old proxy contract: settle',
            'retiring an old proxy contract: complete',
            'old proxy contract closed',
        ]);
    }, 240_000);
});

describe('a params change while the network is down', () => {
    let dir: string;
    let net: LocalNetwork | undefined;
    const logs: string[] = [];
    const start = () =>
        startNetwork({
            clientPort: 0,
            stateDir: dir,
            progress: () => {},
            logSink: (l) => logs.push(l),
            saveStateSeconds: 1,
            rootRefreshSeconds: 1,
            params: { proxyDelayBeforeClose: 4, clientDelayBeforeClose: 2 },
        });
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cocoon-retire-'));
    });
    afterAll(async () => {
        await net?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it('retires the old contract from the database it finds at start, which it moves aside', async () => {
        net = await start();
        const old = { proxy: net.proxyContract, client: net.clientContract, worker: net.workerContract };
        const root = net.root;
        const first = await net.client.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'before' }], max_tokens: 5 });
        const tokens = BigInt(first._receipt.tokens.total);
        const deposit = (await readClientContract(net.chain, old.client)).balance;
        await net.stop();
        net = undefined;

        // the chain alone, from its saved state: the registry owner changes the price
        const ports = JSON.parse(fs.readFileSync(path.join(dir, 'ports.json'), 'utf8')) as { devnet: number };
        const devnet = await Devnet.start({ port: ports.devnet, statePath: path.join(dir, 'chain.db') });
        await doublePrice(new ChainClient(devnet.endpoint), root);
        await devnet.stop();

        net = await start();
        expect(net.proxyContract.equals(old.proxy)).toBe(false);
        const aside = fs.readdirSync(dir).filter((f) => f.startsWith('proxy.db.retired-'));
        expect(aside).toEqual([`proxy.db.retired-${old.proxy.toRawString().slice(2, 14)}`]);
        await until('the old contract closed', async () => (await readProxyContract(net!.chain, old.proxy)).state === 2, 90_000);
        expect(await readClientContract(net.chain, old.client)).toMatchObject({ state: 2, tokensUsed: tokens, balance: 0n });
        expect(await readWorkerContract(net.chain, old.worker)).toMatchObject({ state: 2, tokens });
        const paid = await payoutsFrom(net, old.proxy);
        expect(paid.get(Address.parse((net.client.client.status() as { wallet: string }).wallet).toRawString())).toBe(deposit - tokens * LOCAL_PRICES.pricePerToken);
        expect(paid.get(Address.parse((net.worker.status() as { wallet: string }).wallet).toRawString())).toBe(tokens * LOCAL_PRICES.workerFeePerToken);
        const second = await net.client.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'after' }], max_tokens: 5 });
        expect(BigInt(second._receipt.cost)).toBe(BigInt(second._receipt.tokens.total) * 2000n);
        expect(logs.filter((l) => l.includes('root params changed: retiring the old proxy contract'))).toHaveLength(1);
    }, 240_000);
});

describe('an operator closes the proxy for good', () => {
    let net: LocalNetwork;
    const token = 'operator-token-for-the-close-test';
    beforeAll(async () => {
        net = await startNetwork({
            clientPort: 0,
            progress: () => {},
            logSink: () => {},
            saveStateSeconds: 1,
            proxyAdminToken: token,
            params: { proxyDelayBeforeClose: 4, clientDelayBeforeClose: 2 },
        });
    }, 120_000);
    afterAll(async () => {
        await net?.stop();
    });

    it('POST /admin/close: the proxy stops serving, saying why, and closes its contract with every account settled', async () => {
        const first = await net.client.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'last one' }], max_tokens: 5 });
        const tokens = BigInt(first._receipt.tokens.total);
        const deposit = (await readClientContract(net.chain, net.clientContract)).balance;
        const url = `http://127.0.0.1:${net.proxy.ports.ops}/admin/close`;
        expect((await fetch(url, { method: 'POST' })).status).toBe(401);
        const r = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
        expect(await r.json()).toEqual({ closing: true, contract: net.proxyContract.toRawString(), clients: 1, workers: 1 });
        const reason = `proxy contract ${net.proxyContract.toRawString()} is closed by its operator`;
        expect(net.proxy.status()).toMatchObject({ state: 'refusing', refusal: { code: 'shutting_down', reason } });
        await expect(net.client.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'too late' }] })).rejects.toThrow();

        await until('the contract closed', async () => (await readProxyContract(net.chain, net.proxyContract)).state === 2, 90_000);
        expect(await readClientContract(net.chain, net.clientContract)).toMatchObject({ state: 2, tokensUsed: tokens, balance: 0n });
        expect(await readWorkerContract(net.chain, net.workerContract)).toMatchObject({ state: 2, tokens });
        const paid = await payoutsFrom(net, net.proxyContract);
        expect(paid.get(Address.parse((net.client.client.status() as { wallet: string }).wallet).toRawString())).toBe(deposit - tokens * LOCAL_PRICES.pricePerToken);
        expect(paid.get(Address.parse((net.worker.status() as { wallet: string }).wallet).toRawString())).toBe(tokens * LOCAL_PRICES.workerFeePerToken);
        // the client sees its contract closed and refunded: nothing left to recover
        await until('the client sees it', () =>
            ((net.client.client.status() as { recovery: { clientContract: string; state: string }[] }).recovery.find((x) => x.clientContract === net.clientContract.toRawString())?.state === 'recovered'),
        );
    }, 240_000);
});
