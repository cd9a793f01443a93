// One test per fix of ../shared/spec/onchain.md that concerns the proxy, client and worker contracts; each asserts
// the outcome that COCOON's reference contracts get wrong (fix 4, the root's "change all params", is the root's).
import { Address, Cell, toNano } from '@ton/core';
import '@ton/test-utils';
import { paymentsSandboxNow, PaymentsSandbox } from './payments.setup';
import { clientUnpaidBody, OP, payoutBody, TON, workerUnpaidBody } from './payments.fixtures';
import { clientMessages, ClientState, readClientState } from '../../wrappers/client';
import { proxyMessages, readProxyState } from '../../wrappers/proxy';
import { readWorkerState, WorkerState } from '../../wrappers/worker';

describe('the six fixes (proxy, client, worker)', () => {
    let s: PaymentsSandbox;
    let NOW: number;
    beforeEach(async () => {
        s = await paymentsSandboxNow();
        NOW = s.blockchain.now!;
    });

    const toClient = (body: Cell, value = toNano('0.7'), client = s.client.address, from = s.clientOwner) => from.send({ to: client, value, body });
    const topUp = (amount: bigint, client = s.client.address, from = s.clientOwner) =>
        toClient(clientMessages.topUp(1n, amount, from.address), amount + toNano('0.7'), client, from);
    const payout = (kind: 'payout' | 'lastPayout', newTokens: bigint, queryId: bigint) =>
        s.signed({ kind, queryId, newTokens, expectedMyAddress: s.worker.address });
    const received = (r: { transactions: any[] }, to: Address, from: Address) =>
        r.transactions
            .filter((t) => t.inMessage?.info.dest?.toString() === to.toString() && t.inMessage?.info.src?.toString() === from.toString())
            .map((t) => (t.inMessage.info.type === 'internal' ? (t.inMessage.info.value.coins as bigint) : 0n));

    it('fix 1: a top-up reaching a closing proxy is kept and refunded once', async () => {
        await topUp(3n * TON);
        await s.proxyOwner.send({ to: s.proxy.address, value: toNano('0.2'), body: proxyMessages.closeText() });
        const r = await topUp(2n * TON);
        // COCOON pays the 2 TON back to the owner here and still counts them, then refunds them again below.
        expect(r.transactions).toHaveTransaction({ from: s.client.address, to: s.proxy.address, success: true });
        expect(received(r, s.clientOwner.address, s.client.address)).toEqual([]);
        expect((await readClientState(s.client)).balance).toBe(5n * TON);
        // Retiring the client refunds the 5 TON once (COCOON: 5 TON on top of the 2 TON returned).
        const g = await s.submitter.send({ to: s.client.address, value: toNano('1'), body: s.signed({ kind: 'grantRefund', queryId: 8n, newTokens: 0n, expectedMyAddress: s.client.address }) });
        expect(received(g, s.clientOwner.address, s.proxy.address)).toEqual([5n * TON]);
    });

    it('fix 1: a top-up reaching a closed proxy is returned to the owner and not counted', async () => {
        await topUp(3n * TON);
        await s.proxyOwner.send({ to: s.proxy.address, value: toNano('0.2'), body: proxyMessages.closeText() });
        s.blockchain.now = NOW + 3600;
        await s.submitter.send({ to: s.proxy.address, value: toNano('1'), body: s.signed({ kind: 'closeComplete', queryId: 1n, expectedMyAddress: s.proxy.address }) });
        const r = await topUp(2n * TON);
        // The proxy answers with the amount; the client takes it out of the balance and passes the coins to its owner.
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.client.address, body: clientUnpaidBody(1n, OP.clientProxyTopUp, 2n * TON) });
        const back = received(r, s.clientOwner.address, s.client.address);
        expect(back.length).toBe(1);
        expect(back[0] > 2n * TON && back[0] < 2n * TON + toNano('0.7')).toBe(true);
        expect((await readClientState(s.client)).balance).toBe(3n * TON); // COCOON: 5 TON
    });

    it('fix 2: a worker payout the proxy cannot fund is restored and the same signed payout succeeds later', async () => {
        const envelope = payout('payout', 20_000n, 5n); // worker part 2 TON: more than the proxy holds
        let r = await s.submitter.send({ to: s.worker.address, value: toNano('0.5'), body: envelope });
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.worker.address, body: workerUnpaidBody(5n, 2n * TON, 18n * TON) });
        expect(r.transactions).toHaveTransaction({ from: s.worker.address, to: s.workerOwner.address, body: payoutBody(5n) });
        expect(await readWorkerState(s.worker)).toMatchObject({ tokens: 0n, state: WorkerState.normal }); // COCOON: 20000
        await topUp(5n * TON);
        r = await s.submitter.send({ to: s.worker.address, value: toNano('0.5'), body: envelope });
        expect(received(r, s.workerOwner.address, s.proxy.address)).toEqual([2n * TON]);
        expect((await readWorkerState(s.worker)).tokens).toBe(20_000n);
    });

    it('fix 2: a last payout rejected by a closed proxy reopens the worker with its counter', async () => {
        await s.proxyOwner.send({ to: s.proxy.address, value: toNano('0.2'), body: proxyMessages.closeText() });
        s.blockchain.now = NOW + 3600;
        await s.submitter.send({ to: s.proxy.address, value: toNano('1'), body: s.signed({ kind: 'closeComplete', queryId: 1n, expectedMyAddress: s.proxy.address }) });
        const r = await s.submitter.send({ to: s.worker.address, value: toNano('0.5'), body: payout('lastPayout', 300n, 6n) });
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.worker.address, body: workerUnpaidBody(6n, 300n * 100_000n, 300n * 900_000n) });
        expect(await readWorkerState(s.worker)).toMatchObject({ tokens: 0n, state: WorkerState.normal }); // COCOON: closed, 300
    });

    it('fix 2: the part of a withdrawal the proxy cannot fund is restored and can be retried', async () => {
        const other = await s.clientOf(s.stranger.address);
        await topUp(5n * TON);
        await topUp(TON, other.address, s.stranger);
        // A worker is paid 4.5 TON, leaving the proxy about 1.8 TON of client money.
        await s.submitter.send({ to: s.worker.address, value: toNano('0.5'), body: payout('payout', 45_000n, 2n) });
        const held = (await s.blockchain.getContract(s.proxy.address)).balance;
        let r = await toClient(clientMessages.withdraw(3n, s.clientOwner.address));
        const proxyTx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.proxy.address.toString())!;
        const fee = proxyTx.description.type === 'generic' ? proxyTx.description.storagePhase?.storageFeesCollected ?? 0n : 0n;
        const paid = held - fee - toNano('0.01');
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: paid, body: payoutBody(3n) });
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.client.address, body: clientUnpaidBody(3n, OP.clientProxyRefundGranted, 4n * TON - paid) });
        expect((await readClientState(s.client)).balance).toBe(5n * TON - paid); // COCOON: 1 TON (the stake), 4 TON lost
        await topUp(5n * TON, other.address, s.stranger);
        r = await toClient(clientMessages.withdraw(4n, s.clientOwner.address));
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: 4n * TON - paid, body: payoutBody(4n) });
        expect((await readClientState(s.client)).balance).toBe(TON);
    });

    it('fix 2: a grant-refund rejected by a closed proxy keeps the balance, and the client may ask again', async () => {
        await topUp(2n * TON);
        await s.proxyOwner.send({ to: s.proxy.address, value: toNano('0.2'), body: proxyMessages.closeText() });
        s.blockchain.now = NOW + 3600;
        await s.submitter.send({ to: s.proxy.address, value: toNano('1'), body: s.signed({ kind: 'closeComplete', queryId: 1n, expectedMyAddress: s.proxy.address }) });
        const grant = s.signed({ kind: 'grantRefund', queryId: 9n, newTokens: 0n, expectedMyAddress: s.client.address });
        let r = await s.submitter.send({ to: s.client.address, value: toNano('1'), body: grant });
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.client.address, body: clientUnpaidBody(9n, OP.clientProxyRefundGranted, 2n * TON) });
        expect(await readClientState(s.client)).toMatchObject({ state: ClientState.closed, balance: 2n * TON }); // COCOON: 0
        r = await s.submitter.send({ to: s.client.address, value: toNano('1'), body: grant });
        expect(r.transactions).toHaveTransaction({ from: s.client.address, to: s.proxy.address }); // COCOON: 1006 at the client
    });

    it('fix 3: closing by grant-refund or last payout pays the residual to the owner, not to send_excesses_to', async () => {
        await topUp(TON);
        const clientBefore = (await s.blockchain.getContract(s.client.address)).balance;
        const g = await s.submitter.send({ to: s.client.address, value: toNano('1'), body: s.signed({ kind: 'grantRefund', queryId: 4n, newTokens: 0n, expectedMyAddress: s.client.address }) });
        const residual = received(g, s.clientOwner.address, s.client.address);
        expect(residual.length).toBe(1);
        expect(residual[0] > clientBefore - toNano('0.02')).toBe(true);
        const excess = received(g, s.submitter.address, s.proxy.address);
        expect(excess.length === 1 && excess[0] < toNano('1')).toBe(true); // only the rest of the 1 TON attached
        const l = await s.submitter.send({ to: s.worker.address, value: toNano('0.5'), body: payout('lastPayout', 0n, 7n) });
        expect(received(l, s.workerOwner.address, s.worker.address).length).toBe(1);
        expect(received(l, s.submitter.address, s.proxy.address)[0] < toNano('0.5')).toBe(true);
    });

    it('fix 5: getters expose every param (all four multipliers) and every state field', async () => {
        const p = (await s.proxy.getGetCocoonProxyData()).params;
        expect([p.promptTokensPriceMultiplier, p.cachedTokensPriceMultiplier, p.completionTokensPriceMultiplier, p.reasoningTokensPriceMultiplier]).toEqual([
            11000n, 12000n, 13000n, 14000n,
        ]);
        expect([p.proxyDelayBeforeClose, p.clientDelayBeforeClose, p.uniqueId, p.isTest]).toEqual([3600n, 3600n, 17n, true]);
        const c = await s.client.getGetCocoonClientData();
        expect([c.params.promptTokensPriceMultiplier, c.state, c.balance, c.unlockTs, c.secretHash]).toEqual([11000n, 0n, 0n, 0n, 0n]);
        const w = await s.worker.getGetCocoonWorkerData();
        expect([w.params.completionTokensPriceMultiplier, w.state, w.tokens]).toEqual([13000n, 0n, 0n]);
    });

    it('fix 6: the proxy reports whether its stake covers min_proxy_stake', async () => {
        expect((await readProxyState(s.proxy)).stakeCovered).toBe(false);
        await s.proxyOwner.send({ to: s.proxy.address, value: toNano('1.2'), body: proxyMessages.increaseStake(1n, TON - 1n, s.proxyOwner.address) });
        expect((await readProxyState(s.proxy)).stakeCovered).toBe(false);
        await s.proxyOwner.send({ to: s.proxy.address, value: toNano('0.2'), body: proxyMessages.increaseStake(2n, 1n, s.proxyOwner.address) });
        expect(await readProxyState(s.proxy)).toMatchObject({ stake: TON, minProxyStake: TON, stakeCovered: true });
    });
});
