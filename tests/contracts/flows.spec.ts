// End-to-end money flows through real proxy, client and worker contracts.
import { Address, toNano } from '@ton/core';
import '@ton/test-utils';
import { paymentsSandboxNow, PaymentsSandbox, proxyContract } from './payments.setup';
import { payoutBody, TON } from './payments.fixtures';
import { clientMessages, ClientState, readClientState } from '../../wrappers/client';
import { ProxyState, proxyMessages, readProxyState } from '../../wrappers/proxy';
import { readWorkerState, WorkerState } from '../../wrappers/worker';
import { SignedPayload } from '../../wrappers/signing';

const PRICE = 1_000_000n;
const FEE = 100_000n;

describe('flows', () => {
    let s: PaymentsSandbox;
    let NOW: number;
    beforeEach(async () => {
        s = await paymentsSandboxNow();
        NOW = s.blockchain.now!;
    });

    const balanceOf = async (a: Address) => (await s.blockchain.getContract(a)).balance;
    const submit = (to: Address, payload: SignedPayload, value = toNano('0.7')) => s.submitter.send({ to, value, body: s.signed(payload) });
    /** Sum of Payout messages (op 0xc59a7cd3) from `from` to `to` in a result. */
    const paid = (r: { transactions: any[] }, from: Address, to: Address) =>
        r.transactions
            .filter((t) => t.inMessage?.info.src?.toString() === from.toString() && t.inMessage?.info.dest?.toString() === to.toString())
            .filter((t) => t.inMessage.body.beginParse().loadUint(32) === 0xc59a7cd3)
            .reduce((sum: bigint, t) => sum + (t.inMessage.info.value.coins as bigint), 0n);

    it('client deposits → charges → worker payouts → the proxy owner withdraws the earnings', async () => {
        const proxyStart = await balanceOf(s.proxy.address);
        await s.clientOwner.send({ to: s.client.address, value: toNano('20.7'), body: clientMessages.topUp(1n, 20n * TON, s.clientOwner.address) });
        await submit(s.client.address, { kind: 'charge', queryId: 2n, newTokens: 4_000n, expectedMyAddress: s.client.address });
        await submit(s.client.address, { kind: 'charge', queryId: 3n, newTokens: 10_000n, expectedMyAddress: s.client.address });
        expect((await readClientState(s.client)).balance).toBe(20n * TON - 10_000n * PRICE);

        let workerGot = 0n;
        for (const [q, tokens] of [[4n, 6_000n], [5n, 10_000n]] as const) {
            const r = await submit(s.worker.address, { kind: 'payout', queryId: q, newTokens: tokens, expectedMyAddress: s.worker.address }, toNano('0.5'));
            workerGot += paid(r, s.proxy.address, s.workerOwner.address);
        }
        expect(workerGot).toBe(10_000n * FEE);
        expect((await readProxyState(s.proxy)).balance).toBe(10_000n * (PRICE - FEE));

        const r = await s.submitter.send({ to: s.proxy.address, value: toNano('0.2'), body: proxyMessages.payoutRequest(6n, s.submitter.address) });
        expect(paid(r, s.proxy.address, s.proxyOwner.address)).toBe(9n * TON);
        // The proxy now holds the deposit minus what it paid out, and what it had (less storage fees).
        const held = (await balanceOf(s.proxy.address)) - proxyStart;
        expect(held <= 20n * TON - TON - 9n * TON && held > 20n * TON - TON - 9n * TON - toNano('0.001')).toBe(true);
        expect((await readProxyState(s.proxy)).balance).toBe(0n);
    });

    it('proxy down: the client takes back what exceeds its stake at once, the rest from the proxy stake after the delay', async () => {
        await s.proxyOwner.send({ to: s.proxy.address, value: toNano('5.2'), body: proxyMessages.increaseStake(1n, 5n * TON, s.proxyOwner.address) });
        await s.clientOwner.send({ to: s.client.address, value: toNano('3.7'), body: clientMessages.topUp(1n, 3n * TON, s.clientOwner.address) });
        let r = await s.clientOwner.send({ to: s.client.address, value: toNano('0.7'), body: clientMessages.requestRefund(2n, s.clientOwner.address) });
        expect(paid(r, s.proxy.address, s.clientOwner.address)).toBe(2n * TON);
        expect((await readClientState(s.client)).state).toBe(ClientState.closing);
        s.blockchain.now = NOW + 3601;
        r = await s.clientOwner.send({ to: s.client.address, value: toNano('0.7'), body: clientMessages.requestRefund(3n, s.clientOwner.address) });
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: TON, body: payoutBody(3n) });
        expect(await readClientState(s.client)).toMatchObject({ state: ClientState.closed, balance: 0n });
        expect((await readProxyState(s.proxy)).stake).toBe(4n * TON);
    });

    it('an old generation is retired: signed close, grant-refunds, last payouts, close-complete; everyone settled', async () => {
        const client2 = await s.clientOf(s.stranger.address);
        const worker2 = await s.workerOf(s.stranger.address);
        await s.proxyOwner.send({ to: s.proxy.address, value: toNano('2.2'), body: proxyMessages.increaseStake(1n, 2n * TON, s.proxyOwner.address) });
        await s.clientOwner.send({ to: s.client.address, value: toNano('5.7'), body: clientMessages.topUp(1n, 5n * TON, s.clientOwner.address) });
        await s.stranger.send({ to: client2.address, value: toNano('3.7'), body: clientMessages.topUp(1n, 3n * TON, s.stranger.address) });
        await submit(s.client.address, { kind: 'charge', queryId: 2n, newTokens: 1_000n, expectedMyAddress: s.client.address });
        await submit(s.worker.address, { kind: 'payout', queryId: 3n, newTokens: 1_000n, expectedMyAddress: s.worker.address }, toNano('0.5'));

        // Retirement (the proxy service's sequence, 1 TON each).
        await submit(s.proxy.address, { kind: 'closeRequest', queryId: 10n, expectedMyAddress: s.proxy.address }, TON);
        expect((await readProxyState(s.proxy)).state).toBe(ProxyState.closing);
        const g1 = await submit(s.client.address, { kind: 'grantRefund', queryId: 11n, newTokens: 1_500n, expectedMyAddress: s.client.address }, TON);
        const g2 = await submit(client2.address, { kind: 'grantRefund', queryId: 12n, newTokens: 500n, expectedMyAddress: client2.address }, TON);
        expect(paid(g1, s.proxy.address, s.clientOwner.address)).toBe(5n * TON - 1_500n * PRICE);
        expect(paid(g2, s.proxy.address, s.stranger.address)).toBe(3n * TON - 500n * PRICE);
        const l1 = await submit(s.worker.address, { kind: 'lastPayout', queryId: 13n, newTokens: 1_500n, expectedMyAddress: s.worker.address }, TON);
        const l2 = await submit(worker2.address, { kind: 'lastPayout', queryId: 14n, newTokens: 500n, expectedMyAddress: worker2.address }, TON);
        expect(paid(l1, s.proxy.address, s.workerOwner.address)).toBe(500n * FEE);
        expect(paid(l2, s.proxy.address, s.stranger.address)).toBe(500n * FEE);
        for (const c of [s.client, client2]) expect(await readClientState(c)).toMatchObject({ state: ClientState.closed, balance: 0n });
        for (const w of [s.worker, worker2]) expect((await readWorkerState(w)).state).toBe(WorkerState.closed);

        expect((await readProxyState(s.proxy)).balance).toBe(2_000n * (PRICE - FEE));
        s.blockchain.now = NOW + 3600;
        const done = await submit(s.proxy.address, { kind: 'closeComplete', queryId: 15n, expectedMyAddress: s.proxy.address }, TON);
        // The owner gets the earnings, the stake and the rest of the 1 TON attached; the proxy keeps 0.01 TON.
        const owner = paid(done, s.proxy.address, s.proxyOwner.address);
        const expected = 2_000n * (PRICE - FEE) + 2n * TON;
        expect(owner > expected && owner < expected + TON + toNano('0.3')).toBe(true);
        expect(await readProxyState(s.proxy)).toMatchObject({ state: ProxyState.closed, balance: 0n, stake: 0n });
        expect(await balanceOf(s.proxy.address)).toBe(toNano('0.01'));
    });

    it('a params change starts a new generation at new addresses that works on its own', async () => {
        const next = { ...s.params, paramsVersion: 2, pricePerToken: 2n * PRICE };
        const proxy2 = s.blockchain.openContract(await proxyContract(next, s.proxyOwner.address, s.root.address));
        expect(proxy2.address.equals(s.proxy.address)).toBe(false);
        await s.submitter.send({ to: proxy2.address, value: toNano('0.3'), init: proxy2.init, bounce: false });
        expect((await proxy2.getGetCocoonProxyData()).pricePerToken).toBe(2n * PRICE);
        expect((await proxy2.getGetCocoonProxyData()).paramsVersion).toBe(2n);
    });
});
