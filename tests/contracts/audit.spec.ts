// Findings of the money-path audit of the proxy, client and worker contracts: one scenario per defect fixed (each
// fails on the contracts as they were), and the evidence for properties the answer design relies on (issue 11's
// scenarios are in moneySafety.spec.ts).
import { Address, beginCell, internal as relaxedMessage, toNano } from '@ton/core';
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

    it('only the proxy contract can say what it did not pay: proxy_client_unpaid / proxy_worker_unpaid from anyone else fail with 1014', async () => {
        await s.clientOwner.send({ to: s.client.address, value: 3n * TON + toNano('0.7'), body: clientMessages.topUp(5n, 3n * TON, s.clientOwner.address) });
        const forgedClient = beginCell().storeUint(0x24c5065f, 32).storeUint(6n, 64).storeUint(0xc68ebc7b, 32).storeCoins(50n * TON).endCell();
        const forgedWorker = beginCell().storeUint(0x97e39923, 32).storeUint(6n, 64).storeCoins(0n).storeCoins(0n).endCell();
        for (const [to, body] of [[s.client.address, forgedClient], [s.worker.address, forgedWorker]] as const) {
            const r = await s.stranger.send({ to, value: toNano('0.5'), body });
            expect(r.transactions).toHaveTransaction({ from: s.stranger.address, to, success: false, exitCode: ExitCode.ContractAddressMismatch });
        }
        expect((await readClientState(s.client)).balance).toBe(3n * TON);
        expect(await readWorkerState(s.worker)).toMatchObject({ state: WorkerState.normal, tokens: 0n });
        // A message a contract flags as bounced arrives unflagged: a forged bounce is just an unknown op (1012).
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
        expect((await readClientState(s.client)).balance).toBe(3n * TON);
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
});
