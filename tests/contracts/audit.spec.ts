// Findings of the money-path audit of the proxy, client and worker contracts: one scenario per defect fixed (each
// fails on the contracts as they were), and the evidence for properties the bounce design relies on.
import { Address, beginCell, internal as relaxedMessage, toNano } from '@ton/core';
import { internal } from '@ton/sandbox';
import '@ton/test-utils';
import { paymentsSandbox, paymentsSandboxNow, PaymentsSandbox } from './payments.setup';
import { payoutBody, proxyKeys, TON } from './payments.fixtures';
import { ExitCode } from '../../wrappers/exitCodes';
import { clientMessages, readClientState } from '../../wrappers/client';
import { proxyMessages } from '../../wrappers/proxy';
import { readWorkerState, WorkerState } from '../../wrappers/worker';
import { ownerSendMessageBody, walletFromInit } from '../../wrappers/wallet';

describe('money-path audit', () => {
    let s: PaymentsSandbox;
    beforeEach(async () => {
        s = await paymentsSandboxNow();
    });

    const balanceOf = async (a: Address) => (await s.blockchain.getContract(a)).balance;
    const payout = (kind: 'payout' | 'lastPayout', newTokens: bigint, queryId: bigint) =>
        relaxedMessage({ to: s.worker.address, value: toNano('0.5'), body: s.signed({ kind, queryId, newTokens, expectedMyAddress: s.worker.address }) });

    it('a closed worker passes a bounced payout on to its owner, keeping only 0.01 TON', async () => {
        // Both requests leave the worker before the proxy sees either: the payout (2 TON, more than the proxy holds)
        // bounces, the last payout (no new tokens) closes the worker.
        const r = await s.submitter.sendMessages([payout('payout', 20_000n, 1n), payout('lastPayout', 20_000n, 2n)]);
        expect(r.transactions).toHaveTransaction({ from: s.worker.address, to: s.proxy.address, success: false, exitCode: ExitCode.RangeCheck });
        expect(r.transactions).toHaveTransaction({ from: s.worker.address, to: s.proxy.address, success: true });
        expect(await readWorkerState(s.worker)).toMatchObject({ state: WorkerState.closed, tokens: 0n });
        const bounce = r.transactions.find((t) => t.inMessage?.info.type === 'internal' && t.inMessage.info.bounced)!;
        expect(bounce.inMessage!.info.dest!.toString()).toBe(s.worker.address.toString());
        const toOwner = [...bounce.outMessages.values()].map((m) => m.info);
        expect(toOwner.length).toBe(1);
        // Before the fix the closed worker kept 0.11 TON (a normal worker's floor): 0.1 TON stuck for good.
        expect(await balanceOf(s.worker.address)).toBe(toNano('0.01'));
        expect(r.transactions).toHaveTransaction({ from: s.worker.address, to: s.workerOwner.address, body: payoutBody(1n) });
    });

    it('a last payout without new tokens closes a worker whose price is below its fee (as COCOON)', async () => {
        const cheap = await paymentsSandbox({ pricePerToken: 50_000n, workerFeePerToken: 100_000n });
        const r = await cheap.submitter.send({
            to: cheap.worker.address,
            value: toNano('0.5'),
            body: cheap.signed({ kind: 'lastPayout', queryId: 3n, newTokens: 0n, expectedMyAddress: cheap.worker.address }),
        });
        expect(r.transactions).toHaveTransaction({ from: cheap.worker.address, to: cheap.proxy.address, success: true });
        expect(await readWorkerState(cheap.worker)).toMatchObject({ state: WorkerState.closed, tokens: 0n });
    });

    it('a bounce cannot be forged: a message a contract flags as bounced arrives unflagged (1012 at the client)', async () => {
        await s.clientOwner.send({ to: s.client.address, value: 3n * TON + toNano('0.7'), body: clientMessages.topUp(5n, 3n * TON, s.clientOwner.address) });
        await s.clientOwner.send({ to: s.client.address, value: toNano('0.7'), body: clientMessages.withdraw(6n, s.clientOwner.address) });
        expect(await readClientState(s.client)).toMatchObject({ balance: TON, pendingQueryId: 6n, pendingDelta: -2n * TON });
        // A cocoon wallet sends, verbatim, a message with the bounced bit set whose body is the withdraw's bounce.
        const wallet = s.blockchain.openContract(await walletFromInit(proxyKeys.publicKey, s.stranger.address));
        await s.stranger.send({ to: wallet.address, value: toNano('5'), init: wallet.init, bounce: false });
        const body = beginCell().storeUint(0xffffffff, 32).storeUint(0x65448ff4, 32).storeUint(6n, 64).storeUint(0, 160).endCell();
        const forged = beginCell()
            .storeUint(0b0111, 4) // int_msg_info, ihr_disabled, bounce, bounced
            .storeUint(0, 2)
            .storeAddress(s.client.address)
            .storeCoins(toNano('0.3'))
            .storeUint(0, 107)
            .storeSlice(body.beginParse())
            .endCell();
        const r = await s.stranger.send({ to: wallet.address, value: toNano('0.5'), body: ownerSendMessageBody(forged, 1) });
        expect(r.transactions).toHaveTransaction({ from: wallet.address, to: s.client.address, success: false, exitCode: ExitCode.UnknownOp });
        expect(await readClientState(s.client)).toMatchObject({ balance: TON, pendingQueryId: 6n, pendingDelta: -2n * TON });
    });
});

describe('client top-ups and refunds in flight together', () => {
    let s: PaymentsSandbox;
    beforeEach(async () => {
        s = await paymentsSandboxNow();
    });

    const received = (r: { transactions: any[] }, to: Address, from: Address) =>
        r.transactions
            .filter((t) => t.inMessage?.info.dest?.toString() === to.toString() && t.inMessage?.info.src?.toString() === from.toString())
            .map((t) => (t.inMessage.info.type === 'internal' ? (t.inMessage.info.value.coins as bigint) : 0n));

    it('a withdrawal sent while a top-up to a closing proxy is in flight pays the top-up once', async () => {
        // Another client's 50 TON is what a double payment would be taken from.
        const other = await s.clientOf(s.stranger.address);
        await s.stranger.send({ to: other.address, value: 50n * TON + toNano('0.7'), body: clientMessages.topUp(1n, 50n * TON, s.stranger.address) });
        await s.clientOwner.send({ to: s.client.address, value: 3n * TON + toNano('0.7'), body: clientMessages.topUp(1n, 3n * TON, s.clientOwner.address) });
        await s.proxyOwner.send({ to: s.proxy.address, value: toNano('0.2'), body: proxyMessages.closeText() });
        // One wallet transaction: both messages reach the client before the proxy sees the top-up.
        const r = await s.clientOwner.sendMessages([
            relaxedMessage({ to: s.client.address, value: 20n * TON + toNano('0.7'), body: clientMessages.topUp(7n, 20n * TON, s.clientOwner.address) }),
            relaxedMessage({ to: s.client.address, value: toNano('0.7'), body: clientMessages.withdraw(7n, s.clientOwner.address) }),
        ]);
        // Before the fix the closing proxy returned the 20 TON (bounce) and also paid the 22 TON withdrawal, and the
        // bounce then put the 22 TON back into the balance: 42 TON out of a 23 TON deposit.
        expect(r.transactions).not.toHaveTransaction({ from: s.client.address, to: s.proxy.address, success: false });
        // From the proxy: the 22 TON payout between the excesses (0.69 TON each) of the two requests.
        expect(received(r, s.clientOwner.address, s.proxy.address).filter((v) => v >= TON)).toEqual([22n * TON]);
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: 22n * TON, body: payoutBody(7n) });
        expect(received(r, s.clientOwner.address, s.client.address)).toEqual([]);
        expect(await readClientState(s.client)).toMatchObject({ balance: TON, stake: TON });
    });

    it('a bounce whose query_id names both remembered requests undoes the refund, not the accepted top-up', async () => {
        // A withdrawal the proxy cannot fund and a top-up with the same query_id (anyone may top up with any
        // query_id): a proxy that is not closed takes every top-up, so the bounce is the withdrawal's.
        await s.clientOwner.send({ to: s.client.address, value: 3n * TON + toNano('0.7'), body: clientMessages.topUp(1n, 3n * TON, s.clientOwner.address) });
        const w = await s.clientOwner.send({ to: s.client.address, value: toNano('0.7'), body: clientMessages.withdraw(5n, s.clientOwner.address) });
        await s.stranger.send({ to: s.client.address, value: 2n * TON + toNano('0.7'), body: clientMessages.topUp(5n, 2n * TON, s.stranger.address) });
        expect(await readClientState(s.client)).toMatchObject({ balance: 3n * TON, pendingQueryId: 5n, pendingDelta: 2n * TON, olderQueryId: 5n, olderDelta: -2n * TON });
        const withdrawRequest = w.transactions.find((x) => x.inMessage?.info.dest?.toString() === s.proxy.address.toString())!.inMessage!.body;
        const bounce = () =>
            s.blockchain.sendMessage(
                internal({
                    from: s.proxy.address,
                    to: s.client.address,
                    value: toNano('0.3'),
                    bounced: true,
                    bounce: false,
                    body: beginCell().storeUint(0xffffffff, 32).storeBits(withdrawRequest.beginParse().loadBits(256)).endCell(),
                }),
            );
        await bounce();
        expect(await readClientState(s.client)).toMatchObject({ balance: 5n * TON, pendingQueryId: 5n, pendingDelta: 2n * TON, olderQueryId: 0n, olderDelta: 0n });
        // Had both been rejected (a closed proxy), the second bounce undoes the other.
        await bounce();
        expect(await readClientState(s.client)).toMatchObject({ balance: 3n * TON, pendingQueryId: 0n, olderQueryId: 0n });
    });
});
