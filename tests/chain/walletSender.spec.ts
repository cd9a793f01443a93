import { Address, beginCell, SendMode, toNano } from '@ton/core';
import { TonClient, WalletContractV4 } from '@ton/ton';
import { ChainClient } from '../../offchain/chain/client';
import { requestFaucet } from '../../offchain/chain/faucet';
import { walletV4Adapter, walletV5R1Adapter } from '../../offchain/chain/walletAdapter';
import { WalletSender } from '../../offchain/chain/walletSender';
import { Devnet } from '../../offchain/devnet';
import { startTestDevnet } from '../devnet/helpers';
import { testKey } from '../devnet/wallets';
import { LossyClient } from './lossyClient';

const dest = (n: number) => Address.parse('0:' + n.toString(16).padStart(2, '0').repeat(32));

describe('WalletSender', () => {
    let devnet: Devnet;
    let client: TonClient;

    beforeAll(async () => {
        ({ devnet, client } = await startTestDevnet());
    });
    afterAll(() => devnet.stop());

    it('batches up to four messages per external, deploys the wallet, and reports each outcome', async () => {
        const chain = new ChainClient(devnet.endpoint);
        const wallet = walletV4Adapter(testKey('sender-batch'));
        await requestFaucet(devnet.endpoint, wallet.address, toNano('20'));
        const sender = new WalletSender(chain, wallet, { pollMs: 10 });
        const outcomes = await sender.sendMany([1, 2, 3, 4, 5, 6].map((n) => ({ to: dest(n), value: toNano(String(n / 10)), bounce: false })));
        expect(outcomes.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
        expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2, 3, 0, 1]);
        // two wallet transactions: the first four share one, the last two the next
        expect(new Set(outcomes.slice(0, 4).map((o) => o.walletTx.lt)).size).toBe(1);
        expect(outcomes[4].walletTx.lt).toBe(outcomes[5].walletTx.lt);
        expect(outcomes[4].walletTx.lt > outcomes[0].walletTx.lt).toBe(true);
        expect(await wallet.seqno(chain)).toBe(2);
        for (let n = 1; n <= 6; n++) expect(await chain.getBalance(dest(n))).toBe(toNano(String(n / 10)));
        expect(sender.pending).toBe(0);
    });

    it('reports a bounced message as failed with the destination outcome', async () => {
        const chain = new ChainClient(devnet.endpoint);
        const wallet = walletV5R1Adapter(testKey('sender-bounce'), -3);
        await requestFaucet(devnet.endpoint, wallet.address, toNano('5'));
        const sender = new WalletSender(chain, wallet, { pollMs: 10 });
        const o = await sender.send({ to: dest(0x30), value: toNano('1'), bounce: true, body: beginCell().storeUint(0x12345678, 32).endCell() });
        expect(o.status).toBe('failed');
        expect(o.destination!.outcome.skipped).toBe('no-state');
        expect(await chain.getBalance(dest(0x30))).toBe(0n);
    });

    it('resends the same signed message until the seqno advances, and the message arrives once', async () => {
        const chain = new LossyClient(devnet.endpoint, 2);
        const wallet = walletV4Adapter(testKey('sender-resend'));
        await requestFaucet(devnet.endpoint, wallet.address, toNano('5'));
        const sender = new WalletSender(chain, wallet, { pollMs: 10, resendMs: 30 });
        const o = await sender.send({ to: dest(0x40), value: toNano('1'), bounce: false });
        expect(o.status).toBe('delivered');
        expect(chain.sent).toBe(3);
        expect(await wallet.seqno(chain)).toBe(1);
        expect(await chain.getBalance(dest(0x40))).toBe(toNano('1'));
    });

    it('keeps a batch whose send got no answer in flight instead of signing it again', async () => {
        const chain = new LossyClient(devnet.endpoint, 0, 1);
        const wallet = walletV4Adapter(testKey('sender-lost-answer'));
        await requestFaucet(devnet.endpoint, wallet.address, toNano('5'));
        const sender = new WalletSender(chain, wallet, { pollMs: 10, resendMs: 60_000 });
        const o = await sender.send({ to: dest(0x45), value: toNano('1'), bounce: false });
        expect(o.status).toBe('delivered');
        expect(chain.sent).toBe(1);
        expect(await wallet.seqno(chain)).toBe(1);
        expect(await chain.getBalance(dest(0x45))).toBe(toNano('1'));
    });

    it('finds its transaction behind many newer ones on a busy wallet', async () => {
        const chain = new ChainClient(devnet.endpoint);
        const wallet = walletV4Adapter(testKey('sender-busy'));
        await requestFaucet(devnet.endpoint, wallet.address, toNano('5'));
        const sender = new WalletSender(chain, wallet, { pollMs: 6000 });
        const pending = sender.send({ to: dest(0x48), value: toNano('1'), bounce: false });
        // while the sender waits to check, 120 incoming transfers land on the wallet after its own transaction
        await new Promise((r) => setTimeout(r, 300));
        await Promise.all(Array.from({ length: 120 }, () => requestFaucet(devnet.endpoint, wallet.address, 1n)));
        const o = await pending;
        expect(o.status).toBe('delivered');
        const newer = (await chain.getTransactions(wallet.address, { limit: 1000 })).filter((t) => t.lt > o.walletTx.lt);
        expect(newer).toHaveLength(120);
        expect(await wallet.seqno(chain)).toBe(1);
        expect(await chain.getBalance(dest(0x48))).toBe(toNano('1'));
    });

    it('re-signs when another message took its seqno, never delivering twice', async () => {
        const chain = new LossyClient(devnet.endpoint, 1);
        const key = testKey('sender-race');
        const wallet = walletV4Adapter(key);
        await requestFaucet(devnet.endpoint, wallet.address, toNano('5'));
        const sender = new WalletSender(chain, wallet, { pollMs: 10, resendMs: 60_000 });
        const pending = sender.send({ to: dest(0x50), value: toNano('1'), bounce: false });
        // meanwhile someone else uses seqno 0 of the same wallet
        await new Promise((r) => setTimeout(r, 50));
        const other = client.open(WalletContractV4.create({ workchain: 0, publicKey: key.publicKey }));
        await other.sendTransfer({ seqno: 0, secretKey: key.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [] });
        const o = await pending;
        expect(o.status).toBe('delivered');
        expect(await wallet.seqno(chain)).toBe(2);
        expect(await chain.getBalance(dest(0x50))).toBe(toNano('1'));
    });

    it('on stop, rejects the batch in flight saying it may still execute', async () => {
        const chain = new LossyClient(devnet.endpoint, 1);
        const wallet = walletV4Adapter(testKey('sender-stop'));
        await requestFaucet(devnet.endpoint, wallet.address, toNano('5'));
        const sender = new WalletSender(chain, wallet, { pollMs: 10, resendMs: 60_000 });
        const pending = sender.send({ to: dest(0x49), value: toNano('1'), bounce: false });
        while (chain.sent === 0) await new Promise((r) => setTimeout(r, 5));
        sender.stop();
        await expect(pending).rejects.toThrow('wallet sender stopped with the batch at seqno 0 in flight: it may still execute');
        expect(sender.pending).toBe(0);
    });

    it('rejects the messages of a batch the wallet keeps refusing', async () => {
        const chain = new ChainClient(devnet.endpoint);
        const wallet = walletV4Adapter(testKey('sender-broke')); // never funded: cannot pay for its external
        const sender = new WalletSender(chain, wallet, { pollMs: 10, maxRejections: 2 });
        await expect(sender.send({ to: dest(0x60), value: 1n })).rejects.toThrow(
            `wallet ${wallet.address.toString()} refused the batch 2 times: LITE_SERVER_UNKNOWN: cannot apply external message to current state : External message was not accepted`,
        );
        sender.stop();
        await expect(sender.send({ to: dest(0x60), value: 1n })).rejects.toThrow('wallet sender is stopped');
    });
});
