// Issue 11: the scenarios that must end with nothing lost. Each states what the contracts lost before the issue
// (measured in this sandbox with the previous contracts, in TON) and asserts the exact outcome now: what the
// owners received, what stays claimable, states and counters. Owners and strangers send from their own addresses
// (the sandbox does not debit them), so every payout is counted exactly.
import { Address, Cell, internal as relaxed, toNano, Transaction } from '@ton/core';
import { internal, SandboxContract, SendMessageResult } from '@ton/sandbox';
import '@ton/test-utils';
import { paymentsSandboxNow, PaymentsSandbox } from './payments.setup';
import { clientUnpaidBody, OP, payoutBody, TON, workerUnpaidBody } from './payments.fixtures';
import { CocoonClient, clientMessages, ClientState, readClientState } from '../../wrappers/client';
import { proxyMessages, ProxyState, readProxyState } from '../../wrappers/proxy';
import { readWorkerState, WorkerState } from '../../wrappers/worker';

describe('issue 11: money in flight, forced refunds, payouts after close', () => {
    let s: PaymentsSandbox;
    /** Payouts from the proxy contract, by recipient (raw address). */
    let received: Map<string, bigint>;
    beforeEach(async () => {
        s = await paymentsSandboxNow();
        received = new Map();
    });

    const count = (txs: Transaction[]) => {
        for (const t of txs) {
            const info = t.inMessage?.info;
            if (info?.type !== 'internal' || !info.src.equals(s.proxy.address)) continue;
            const b = t.inMessage!.body.beginParse();
            if (b.remainingBits >= 32 && b.loadUint(32) === OP.payout) received.set(info.dest.toRawString(), (received.get(info.dest.toRawString()) ?? 0n) + info.value.coins);
        }
    };
    const recovered = (a: Address) => received.get(a.toRawString()) ?? 0n;
    const send = async (from: Address, to: Address, value: bigint, body: Cell): Promise<SendMessageResult> => {
        const r = await s.blockchain.sendMessage(internal({ from, to, value, body }));
        count(r.transactions);
        return r;
    };
    const topUp = (client: Address, owner: Address, amount: bigint, q = 1n) => send(owner, client, amount + toNano('0.7'), clientMessages.topUp(q, amount, owner));
    const stake = (amount: bigint) => send(s.proxyOwner.address, s.proxy.address, amount + toNano('0.2'), proxyMessages.increaseStake(1n, amount, s.proxyOwner.address));
    const requestRefund = (q: bigint, client = s.client.address, owner = s.clientOwner.address) =>
        send(owner, client, toNano('0.7'), clientMessages.requestRefund(q, owner));
    const unlock = () => (s.blockchain.now = s.blockchain.now! + 3601);
    const client = () => readClientState(s.client);
    /** The proxy pays a worker for `tokens` that no client was charged for (an ordinary lag): the proxy is short. */
    const payWorkerAhead = (tokens: bigint) =>
        send(s.submitter.address, s.worker.address, toNano('0.5'), s.signed({ kind: 'payout', queryId: 77n, newTokens: tokens, expectedMyAddress: s.worker.address }));
    /** Another client deposits 20 TON: the proxy is funded again. */
    const fundProxy = async () => {
        const other = await s.clientOf(s.root.address);
        await topUp(other.address, s.root.address, 20n * TON);
    };
    const zeroTopUp = (q: bigint) => send(s.stranger.address, s.client.address, toNano('0.2'), clientMessages.topUp(q, 0n, s.stranger.address));
    /**
     * The owner's `body` to the client, one transaction at a time; `attack` runs right after the proxy's transaction,
     * before its answer reaches the client. Returns the proxy's transaction.
     */
    const interleaved = async (body: Cell, attack: () => Promise<unknown>) => {
        const it = await s.blockchain.sendMessageIter(internal({ from: s.clientOwner.address, to: s.client.address, value: toNano('0.7'), body }), { allowParallel: true });
        const txs: Transaction[] = [];
        for (let n = await it.next(); !n.done; n = await it.next()) {
            txs.push(n.value);
            if (n.value.inMessage?.info.dest?.toString() === s.proxy.address.toString()) await attack();
        }
        count(txs);
        return txs.find((t) => t.inMessage?.info.dest?.toString() === s.proxy.address.toString())!;
    };
    /** The proxy's payout to the client owner and its unpaid answer in `proxyTx`. */
    const partial = (proxyTx: Transaction) => {
        const out = [...proxyTx.outMessages.values()];
        const paid = out.find((m) => m.info.dest?.toString() === s.clientOwner.address.toString())!;
        return { paid: paid.info.type === 'internal' ? paid.info.value.coins : 0n, answer: out.find((m) => m.info.dest?.toString() === s.client.address.toString())!.body };
    };
    const attacks = {
        'two zero top-ups with other query_ids': async () => {
            await zeroTopUp(21n);
            await zeroTopUp(22n);
        },
        "one zero top-up with the request's query_id": () => zeroTopUp(11n),
    };

    // Before: the bounce undid nothing (the top-ups had pushed the withdrawal out of memory, or took its query_id):
    // 4 TON lost in both attacks.
    for (const [attack, run] of Object.entries(attacks)) {
        it(`a withdrawal the short proxy cannot pay, while a stranger sends ${attack}: the owner gets all 4 TON (before: 4 TON lost)`, async () => {
            await stake(TON);
            await topUp(s.client.address, s.clientOwner.address, 5n * TON);
            await payWorkerAhead(45_000n); // 4.5 TON to the worker: the proxy holds about 1.8 TON
            const { paid, answer } = partial(await interleaved(clientMessages.withdraw(11n, s.clientOwner.address), run));
            expect(paid > 0n && paid < 4n * TON).toBe(true);
            expect(answer.equals(clientUnpaidBody(11n, OP.clientProxyRefundGranted, 4n * TON - paid))).toBe(true);
            expect(await client()).toMatchObject({ state: ClientState.normal, balance: 5n * TON - paid });
            await fundProxy();
            const r = await send(s.clientOwner.address, s.client.address, toNano('0.7'), clientMessages.withdraw(12n, s.clientOwner.address));
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: 4n * TON - paid, body: payoutBody(12n) });
            expect(recovered(s.clientOwner.address)).toBe(4n * TON);
            expect(await client()).toMatchObject({ state: ClientState.normal, balance: TON, stake: TON });
        });

        // Before: the first request_refund's refund was lost the same way and the forced refund paid the 1 TON stake:
        // 4 TON lost in both attacks.
        it(`the first request_refund's refund, while a stranger sends ${attack}: the owner gets all 5 TON (before: 4 TON lost)`, async () => {
            await stake(TON);
            await topUp(s.client.address, s.clientOwner.address, 5n * TON);
            await payWorkerAhead(45_000n);
            const { paid, answer } = partial(await interleaved(clientMessages.requestRefund(11n, s.clientOwner.address), run));
            expect(answer.equals(clientUnpaidBody(11n, OP.clientProxyRefundGranted, 4n * TON - paid))).toBe(true);
            expect(await client()).toMatchObject({ state: ClientState.closing, balance: 5n * TON - paid });
            await fundProxy();
            unlock();
            const r = await requestRefund(12n);
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: 5n * TON - paid, body: payoutBody(12n) });
            expect(recovered(s.clientOwner.address)).toBe(5n * TON);
            expect(await client()).toMatchObject({ state: ClientState.closed, balance: 0n });
        });
    }

    it('a request_refund refund the proxy cannot pay, no attacker: the owner recovers the whole 5 TON, not the 1 TON stake (before: 4 TON lost)', async () => {
        await stake(TON);
        await topUp(s.client.address, s.clientOwner.address, 5n * TON);
        await payWorkerAhead(45_000n);
        await requestRefund(11n);
        const paid = recovered(s.clientOwner.address);
        expect(await client()).toMatchObject({ state: ClientState.closing, balance: 5n * TON - paid });
        await fundProxy();
        unlock();
        await requestRefund(12n);
        expect(recovered(s.clientOwner.address)).toBe(5n * TON);
        expect(await client()).toMatchObject({ state: ClientState.closed, balance: 0n });
        // The forced refund took the proxy's 1 TON stake first, then 4 TON - paid of the deposits.
        expect((await readProxyState(s.proxy)).stake).toBe(0n);
    });

    it('a payout and a last payout for the same count in one transaction; the payout is not paid, the last one closes the worker: the worker is still paid its 2 TON (before: 2 TON lost)', async () => {
        const envelope = (kind: 'payout' | 'lastPayout', q: bigint) => s.signed({ kind, queryId: q, newTokens: 20_000n, expectedMyAddress: s.worker.address });
        const r = await s.submitter.sendMessages([
            relaxed({ to: s.worker.address, value: toNano('0.5'), body: envelope('payout', 1n) }),
            relaxed({ to: s.worker.address, value: toNano('0.5'), body: envelope('lastPayout', 2n) }),
        ]);
        count(r.transactions);
        // The proxy (0.3 TON) cannot pay 2 TON: it says so; the last payout (no new tokens) closed the worker meanwhile.
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.worker.address, body: workerUnpaidBody(1n, 2n * TON, 18n * TON) });
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.workerOwner.address, value: 0n, body: payoutBody(2n) });
        // The answer takes the 20,000 tokens off and reopens the worker (before: closed for good with 20,000 counted).
        expect(await readWorkerState(s.worker)).toMatchObject({ state: WorkerState.normal, tokens: 0n });
        expect(recovered(s.workerOwner.address)).toBe(0n);
        await fundProxy();
        const again = await send(s.submitter.address, s.worker.address, toNano('0.5'), envelope('lastPayout', 2n));
        expect(again.transactions).toHaveTransaction({ from: s.proxy.address, to: s.workerOwner.address, value: 2n * TON, body: payoutBody(2n) });
        expect(recovered(s.workerOwner.address)).toBe(2n * TON);
        expect(await readWorkerState(s.worker)).toMatchObject({ state: WorkerState.closed, tokens: 20_000n });
    });

    it('a forced refund while the proxy has no stake pays the balance from the deposits (before: 1 TON lost, recorded as paid)', async () => {
        await topUp(s.client.address, s.clientOwner.address, 3n * TON);
        await requestRefund(11n);
        unlock();
        const r = await requestRefund(12n);
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: TON, body: payoutBody(12n) });
        expect(recovered(s.clientOwner.address)).toBe(3n * TON);
        expect(await client()).toMatchObject({ state: ClientState.closed, balance: 0n });
        expect((await readProxyState(s.proxy)).stake).toBe(0n);
    });

    it('a forced refund the proxy (no stake, short) cannot pay records nothing as paid; the balance stays claimable and is paid later', async () => {
        await topUp(s.client.address, s.clientOwner.address, 3n * TON);
        await payWorkerAhead(25_000n); // 2.5 TON: the proxy keeps about 0.8 TON
        await requestRefund(11n);
        const first = recovered(s.clientOwner.address);
        expect(await client()).toMatchObject({ state: ClientState.closing, balance: 3n * TON - first });
        unlock();
        // The proxy holds nothing above its floor: nothing is paid and nothing is recorded as paid.
        let r = await requestRefund(12n);
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.client.address, body: clientUnpaidBody(12n, OP.clientProxyRefundForce, 3n * TON - first) });
        expect(r.transactions).not.toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, body: payoutBody(12n) });
        expect(await client()).toMatchObject({ state: ClientState.closed, balance: 3n * TON - first });
        await fundProxy();
        r = await requestRefund(13n);
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: 3n * TON - first, body: payoutBody(13n) });
        expect(recovered(s.clientOwner.address)).toBe(3n * TON);
        expect(await client()).toMatchObject({ state: ClientState.closed, balance: 0n });
    });

    it("a stranger's forced refund of his own 1 TON leaves an honest client's forced refund whole (before: 1 TON lost)", async () => {
        await stake(TON);
        const his = await s.clientOf(s.stranger.address);
        await topUp(his.address, s.stranger.address, TON);
        await topUp(s.client.address, s.clientOwner.address, 3n * TON);
        await requestRefund(1n, his.address, s.stranger.address);
        await requestRefund(11n);
        unlock();
        await requestRefund(2n, his.address, s.stranger.address);
        expect(recovered(s.stranger.address)).toBe(TON);
        expect((await readProxyState(s.proxy)).stake).toBe(0n); // his refund was drawn from the stake
        await requestRefund(12n);
        expect(recovered(s.clientOwner.address)).toBe(3n * TON); // before: 2 TON, the forced refund paid 0
        expect(await client()).toMatchObject({ state: ClientState.closed, balance: 0n });
    });

    it('five clients with 3 TON each and a 2 TON stake all force-refund: 15 TON recovered, nothing left that nobody can move (before: 3 TON lost)', async () => {
        await stake(2n * TON);
        const owners = [s.clientOwner.address, s.stranger.address, s.root.address, s.submitter.address, s.workerOwner.address];
        const clients: SandboxContract<CocoonClient>[] = [s.client];
        for (const o of owners.slice(1)) clients.push(await s.clientOf(o));
        for (const [i, c] of clients.entries()) await topUp(c.address, owners[i], 3n * TON);
        for (const [i, c] of clients.entries()) await requestRefund(1n, c.address, owners[i]);
        unlock();
        for (const [i, c] of clients.entries()) await requestRefund(2n, c.address, owners[i]);
        for (const [i, c] of clients.entries()) {
            expect(recovered(owners[i])).toBe(3n * TON);
            expect(await readClientState(c)).toMatchObject({ state: ClientState.closed, balance: 0n });
            expect((await s.blockchain.getContract(c.address)).balance).toBe(toNano('0.01'));
        }
        // The stake paid the first two forced refunds; the deposits it bought are the proxy's, and close-complete
        // pays them with everything else above 0.01 TON to the proxy owner.
        expect(await readProxyState(s.proxy)).toMatchObject({ stake: 0n, balance: 0n });
        await send(s.proxyOwner.address, s.proxy.address, toNano('0.2'), proxyMessages.closeText());
        unlock();
        const held = (await s.blockchain.getContract(s.proxy.address)).balance;
        expect(held > 2n * TON).toBe(true);
        await s.submitter.send({ to: s.proxy.address, value: toNano('1'), body: s.signed({ kind: 'closeComplete', queryId: 3n, expectedMyAddress: s.proxy.address }) });
        expect((await readProxyState(s.proxy)).state).toBe(ProxyState.closed);
        expect((await s.blockchain.getContract(s.proxy.address)).balance).toBe(toNano('0.01'));
    });
});
