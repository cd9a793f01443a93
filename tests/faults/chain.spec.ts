import { beginCell, toNano } from '@ton/core';
import { walletV4Adapter } from '../../offchain/chain';
import { devnetKey } from '../../offchain/chain/cocoon/keys';
import { WalletSender } from '../../offchain/chain/walletSender';
import { requestFaucet } from '../../offchain/chain/faucet';
import { expectBooksBalance, expectOutboxSentOnce, FaultNet, postChat, sleep, until } from './harness';

/** The minute: long enough for every reconnect backoff and outbox resend to reach its ceiling. */
const OUTAGE_MS = 60_000;

/** Faults of the chain: its API unreachable, and a wallet that cannot pay its fees. */
describe('faults: the chain', () => {
    let net: FaultNet;
    let before: Awaited<ReturnType<FaultNet['onChain']>>;

    beforeAll(async () => {
        net = await FaultNet.start({ name: 'chain', workers: 1 });
        before = await net.onChain();
    }, 180_000);
    afterAll(() => net?.stop());

    const ask = async (content: string, max: number) => expect((await postChat(net.api, content, max)).status).toBe(200);

    it(`chain endpoint unreachable for ${OUTAGE_MS / 1000} s, then back: requests still served, save-states queued in the outbox and sent once it is back, nothing lost`, async () => {
        await ask('before the outage', 4); // 3 + 4
        await until('7 tokens confirmed', async () => (await net.proxyStatus()).clients[0].committedChain === '7');
        await net.gate.close();
        const down = Date.now();
        await ask('during the outage one', 5); // 4 + 5
        await ask('during the outage two', 6); // 4 + 6
        await until('save-states waiting in the outbox', async () => (await net.proxyStatus()).outboxPending > 0);
        await sleep(OUTAGE_MS - (Date.now() - down));
        const during = await net.proxyStatus();
        expect(during.clients[0]).toMatchObject({ tokensMax: '26', committedDb: '26', committedChain: '7' });
        for (const s of [net.proxy, ...net.workers, net.client]) expect(s.alive).toBe(true);
        await net.gate.open();
        await until('26 tokens confirmed once the chain is back', async () => (await net.proxyStatus()).clients[0].committedChain === '26');
        await expectOutboxSentOnce(net);
        expect(net.receipts().map((r) => r.clientTotal)).toEqual(['7', '16', '26']);
    }, OUTAGE_MS + 120_000);

    it('settles after the outage: the contracts end exactly where the receipts say (26 tokens)', async () => {
        expect(await expectBooksBalance(net, before)).toBe(26n);
    });
});

/** The proxy's wallet emptied by its owner (the CocoonWallet's "w" op): it cannot send until funded again. */
describe('faults: a wallet short of TON', () => {
    let net: FaultNet;
    let before: Awaited<ReturnType<FaultNet['onChain']>>;

    beforeAll(async () => {
        net = await FaultNet.start({ name: 'short', workers: 1 });
        before = await net.onChain();
    }, 180_000);
    afterAll(() => net?.stop());
    const ask = async (content: string, max: number) => expect((await postChat(net.api, content, max)).status).toBe(200);

    it('the proxy wallet below its 2 TON floor: an ACTION REQUIRED error naming the wallet and its balance, the same reason in /status, the save-state kept queued and sent once the wallet is funded', async () => {
        const owner = new WalletSender(net.chain, walletV4Adapter(devnetKey('short-root')), { pollMs: 50 });
        try {
            const w = await owner.send({ to: net.contracts.proxyWallet, value: toNano('0.05'), body: beginCell().storeUint(0, 32).storeStringTail('w').endCell() });
            expect(w.status).toBe('delivered');
        } finally {
            owner.stop();
        }
        const balance = (await net.chain.getAccount(net.contracts.proxyWallet)).balance;
        expect(balance).toBeLessThanOrEqual(toNano('0.01'));
        await ask('while the wallet is empty', 4); // 5 + 4: served, its save-state cannot go
        const alert = await net.proxy.logged('ACTION REQUIRED', 30_000);
        expect(alert.level).toBe('error');
        expect(alert.msg).toMatch(
            new RegExp(`^ACTION REQUIRED: wallet ${net.contracts.proxyWallet.toString()} is short of TON: it holds 0\\.\\d+ TON, and batch at seqno \\d+ needs more than 2\\.\\d+ TON`),
        );
        const status = await net.proxyStatus();
        const waiting = status.outbox.filter((r: { state: string }) => r.state === 'queued');
        expect(waiting.length).toBeGreaterThan(0);
        for (const r of waiting) expect(r.reason).toBe(alert.msg.slice('ACTION REQUIRED: '.length));
        expect(status.clients[0]).toMatchObject({ tokensMax: '9', committedChain: '0' });

        await requestFaucet(net.devnet.endpoint, net.contracts.proxyWallet, toNano('10'));
        await until('9 tokens confirmed once funded', async () => (await net.proxyStatus()).clients[0].committedChain === '9', 60_000);
        // (the withdrawal to the owner is the one message the wallet sent on its owner's order)
        await expectOutboxSentOnce(net, [net.contracts.owner]);
        expect(await expectBooksBalance(net, before)).toBe(9n);
    }, 120_000);
});
