import { Address, beginCell, Cell, toNano } from '@ton/core';
import { internal, SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { sign } from '@ton/crypto';
import { paymentsSandboxNow, PaymentsSandbox } from './payments.setup';
import { clientUnpaidBody, excessBody, keyInt, OP, outTo, payoutBody, plain, proxyKeys, TON, workerUnpaidBody, wrongKeys } from './payments.fixtures';
import { ExitCode } from '../../wrappers/exitCodes';
import { parseProxyStorage, proxyMessages, ProxyState, ProxyStorageError, readProxyParams, readProxyState } from '../../wrappers/proxy';
import { clientMessages } from '../../wrappers/client';
import { envelopeCell, payloadCell } from '../../wrappers/signing';

describe('CocoonProxy', () => {
    let s: PaymentsSandbox;
    let NOW: number;
    beforeEach(async () => {
        s = await paymentsSandboxNow();
        NOW = s.blockchain.now!;
    });

    const send = (body: Cell, value = toNano('0.2'), from: SandboxContract<TreasuryContract> = s.proxyOwner) =>
        from.send({ to: s.proxy.address, value, body });
    const state = () => readProxyState(s.proxy);
    const proxyTx = (r: { transactions: any[] }) => r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.proxy.address.toString())!;
    const expectFail = (r: { transactions: any[] }, exitCode: number) =>
        expect(r.transactions).toHaveTransaction({ to: s.proxy.address, success: false, exitCode });
    const tonBalance = async (a: Address) => (await s.blockchain.getContract(a)).balance;
    const signedClose = (kind: 'closeRequest' | 'closeComplete', opts: { key?: Buffer; to?: Address; queryId?: bigint } = {}) =>
        s.submitter.send({
            to: s.proxy.address,
            value: toNano('1'),
            body: s.signed({ kind, queryId: opts.queryId ?? 61n, expectedMyAddress: opts.to ?? s.proxy.address }, opts.key),
        });
    /** A request that really comes from the derived client/worker address (the sandbox lets us choose the sender). */
    const fromMember = (from: Address, body: Cell, value = toNano('1')) =>
        s.blockchain.sendMessage(internal({ from, to: s.proxy.address, value, body, bounce: true }));
    const clientRequest = (payload: Cell | null, owner = s.clientOwner.address, queryId = 71n) =>
        beginCell()
            .storeUint(OP.clientProxyRequest, 32)
            .storeUint(queryId, 64)
            .storeAddress(owner)
            .storeRef(beginCell().storeUint(0, 2 + 4 + 4 + 64 + 256).endCell())
            .storeMaybeRef(payload)
            .endCell();
    const coinsPayload = (op: number, coins: bigint, to = s.submitter.address) => beginCell().storeUint(op, 32).storeCoins(coins).storeAddress(to).endCell();
    const workerRequest = (payload: Cell | null, owner = s.workerOwner.address, queryId = 81n) =>
        beginCell().storeUint(OP.workerProxyRequest, 32).storeUint(queryId, 64).storeAddress(owner).storeUint(0, 2).storeUint(10, 64).storeMaybeRef(payload).endCell();
    const closeFully = async () => {
        await send(proxyMessages.closeText());
        s.blockchain.now = NOW + 3600;
        await signedClose('closeComplete');
    };
    /** The storage fee the proxy's transaction in `r` collected. */
    const proxyStorage = (r: { transactions: any[] }) => proxyTx(r).description.storagePhase?.storageFeesCollected ?? 0n;
    const topUpClient = (amount: bigint) =>
        s.clientOwner.send({ to: s.client.address, value: amount + toNano('0.7'), body: clientMessages.topUp(1n, amount, s.clientOwner.address) });

    describe('deployment and plain messages', () => {
        it('starts normal with nothing earned or staked and exposes every param', async () => {
            expect(plain(await state())).toEqual(
                plain({
                    owner: s.proxyOwner.address,
                    proxyPublicKey: keyInt(proxyKeys),
                    root: s.root.address,
                    state: ProxyState.normal,
                    balance: 0n,
                    stake: 0n,
                    unlockTs: 0,
                    pricePerToken: 1_000_000n,
                    workerFeePerToken: 100_000n,
                    minProxyStake: TON,
                    minClientStake: TON,
                    paramsVersion: 1,
                    stakeCovered: false,
                }),
            );
            const d = await s.proxy.getGetCocoonProxyData();
            expect(d.params.proxyScCode).toBeNull();
            expect(d.params.workerScCode?.equals(s.params.workerScCode!)).toBe(true);
            expect([d.params.cachedTokensPriceMultiplier, d.params.completionTokensPriceMultiplier]).toEqual([12000n, 13000n]);
        });

        it('reads the same state and params from the raw data cell as from the getter', async () => {
            await send(proxyMessages.increaseStake(1n, TON, s.stranger.address), toNano('1.2'));
            const data = (await s.blockchain.getContract(s.proxy.address)).accountState;
            if (data?.type !== 'active') throw new Error('proxy not active');
            const { params, ...rest } = parseProxyStorage(data.state.data!);
            expect(plain(rest)).toEqual(plain(await state()));
            expect(plain(params)).toEqual(plain(await readProxyParams(s.proxy)));
            expect(plain(params)).toEqual(plain({ ...s.params, proxyScCode: null }));
            expect(() => parseProxyStorage(beginCell().endCell())).toThrow(ProxyStorageError);
        });

        it('accepts an empty body and do_not_process silently', async () => {
            for (const body of [Cell.EMPTY, beginCell().storeUint(OP.doNotProcess, 32).endCell()]) {
                const r = await send(body, toNano('0.01'), s.stranger);
                expect(r.transactions).toHaveTransaction({ to: s.proxy.address, success: true, outMessagesCount: 0 });
            }
        });

        it("accepts the proxy service's save-state record (do_not_process ‖ query_id ‖ proxy_save_state ‖ seqno ‖ hash)", async () => {
            const body = beginCell().storeUint(OP.doNotProcess, 32).storeUint(5, 64).storeUint(0x53109c0f, 32).storeInt(7, 32).storeUint(1n << 255n, 256).endCell();
            const r = await send(body, 1n, s.stranger);
            // 1 nanoTON buys no gas: as with COCOON the record is only an on-chain trace, never executed.
            expect(r.transactions).toHaveTransaction({ to: s.proxy.address, aborted: true });
            const paid = await send(body, toNano('0.01'), s.stranger);
            expect(paid.transactions).toHaveTransaction({ to: s.proxy.address, success: true, outMessagesCount: 0 });
        });

        it('does not check for trailing data after the fields (COCOON fails with 9; documented)', async () => {
            const body = beginCell().storeSlice(proxyMessages.payoutRequest(1n, s.stranger.address).beginParse()).storeUint(1, 8).endCell();
            const r = await send(body, toNano('0.2'), s.stranger);
            expect(r.transactions).toHaveTransaction({ to: s.proxy.address, success: true });
        });

        it('rejects an unknown op (1012), an unknown text command (1013), a longer comment (9)', async () => {
            expectFail(await send(beginCell().storeUint(0x1234, 32).storeUint(0, 64).endCell()), ExitCode.UnknownOp);
            expectFail(await send(beginCell().storeUint(0, 32).storeStringTail('x').endCell()), ExitCode.UnknownTextOp);
            expectFail(await send(beginCell().storeUint(0, 32).storeStringTail('cc').endCell()), ExitCode.CellUnderflow);
        });
    });

    describe('earnings and stake', () => {
        it('pays the earnings to the owner on a public payout request, the excess to the requester', async () => {
            await topUpClient(10n * TON);
            await s.submitter.send({
                to: s.worker.address,
                value: toNano('0.5'),
                body: s.signed({ kind: 'payout', queryId: 1n, newTokens: 1000n, expectedMyAddress: s.worker.address }),
            });
            expect((await state()).balance).toBe(900_000_000n);
            const r = await send(proxyMessages.payoutRequest(91n, s.stranger.address), toNano('0.2'), s.stranger);
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.proxyOwner.address, value: 900_000_000n, body: payoutBody(91n) });
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.stranger.address, body: excessBody(91n) });
            expect((await state()).balance).toBe(0n);
        });

        it('payout request: 0.1 TON (1003), not closed (1006)', async () => {
            expectFail(await send(proxyMessages.payoutRequest(1n, s.stranger.address), toNano('0.09')), ExitCode.LowMsgValue);
            await closeFully();
            expectFail(await send(proxyMessages.payoutRequest(1n, s.stranger.address)), ExitCode.Closed);
        });

        it('increases the stake by the given amount, keeping it; reports when it covers min_proxy_stake (fix 6)', async () => {
            const before = await tonBalance(s.proxy.address);
            const r = await send(proxyMessages.increaseStake(92n, toNano('0.5'), s.stranger.address), toNano('0.7'), s.stranger);
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.stranger.address, body: excessBody(92n) });
            const fee = proxyTx(r).description.storagePhase?.storageFeesCollected ?? 0n;
            expect((await tonBalance(s.proxy.address)) - before).toBe(toNano('0.5') - fee);
            expect([(await state()).stake, (await state()).stakeCovered, (await state()).balance]).toEqual([toNano('0.5'), false, 0n]);
            await send(proxyMessages.increaseStake(93n, toNano('0.5'), s.stranger.address), toNano('0.7'));
            expect([(await state()).stake, (await state()).stakeCovered]).toEqual([TON, true]);
        });

        it('increase stake: value below stake + 0.1 TON (1003), closed (1006)', async () => {
            expectFail(await send(proxyMessages.increaseStake(1n, TON, s.stranger.address), toNano('0.5')), ExitCode.LowMsgValue);
            expectFail(await send(proxyMessages.increaseStake(1n, TON, s.stranger.address), toNano('1.09')), ExitCode.LowMsgValue);
            await closeFully();
            expectFail(await send(proxyMessages.increaseStake(1n, TON, s.stranger.address), toNano('1.2')), ExitCode.Closed);
        });

        it('"w" pays the earnings and the rest of the value to the owner; allowed while closing, not when closed', async () => {
            const r = await send(proxyMessages.withdrawText(), toNano('0.2'));
            const out = outTo(proxyTx(r), s.proxyOwner.address);
            expect(plain(out.body)).toBe(plain(payoutBody(0n)));
            expect(out.value > toNano('0.19')).toBe(true);
            expectFail(await send(proxyMessages.withdrawText(), toNano('0.2'), s.stranger), ExitCode.ExpectedMessageFromOwner);
            await send(proxyMessages.closeText());
            expect((await send(proxyMessages.withdrawText())).transactions).toHaveTransaction({ to: s.proxy.address, success: true });
            expect((await state()).state).toBe(ProxyState.closing);
            s.blockchain.now = NOW + 3600;
            await signedClose('closeComplete');
            expectFail(await send(proxyMessages.withdrawText()), ExitCode.Closed);
        });
    });

    describe('closing', () => {
        it('owner close: normal → closing with the unlock time, excess to send_excesses_to', async () => {
            const r = await send(proxyMessages.ownerClose(94n, s.stranger.address));
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.stranger.address, body: excessBody(94n) });
            expect([(await state()).state, (await state()).unlockTs]).toEqual([ProxyState.closing, NOW + 3600]);
            expectFail(await send(proxyMessages.ownerClose(95n, s.stranger.address)), ExitCode.Closed);
        });

        it('owner close: owner only (1010), 0.1 TON (1003)', async () => {
            expectFail(await send(proxyMessages.ownerClose(1n, s.stranger.address), toNano('0.2'), s.stranger), ExitCode.ExpectedMessageFromOwner);
            expectFail(await send(proxyMessages.ownerClose(1n, s.stranger.address), toNano('0.09')), ExitCode.LowMsgValue);
        });

        it('"c": normal → closing with the excess to the owner; only from normal, owner, 0.1 TON', async () => {
            const r = await send(proxyMessages.closeText());
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.proxyOwner.address, body: excessBody(0n) });
            expect((await state()).state).toBe(ProxyState.closing);
            expectFail(await send(proxyMessages.closeText()), ExitCode.Closed);
            s.blockchain.now = NOW + 3600;
            await signedClose('closeComplete');
            expectFail(await send(proxyMessages.closeText()), ExitCode.Closed);
        });

        it('"c" from a stranger (1010) or with 0.002 TON (1003)', async () => {
            expectFail(await send(proxyMessages.closeText(), toNano('0.2'), s.stranger), ExitCode.ExpectedMessageFromOwner);
            expectFail(await send(proxyMessages.closeText(), toNano('0.002')), ExitCode.LowMsgValue);
        });

        it('signed close request: valid; wrong key (1007); another contract (1015); not normal (1006); op mismatch (1005)', async () => {
            expectFail(await signedClose('closeRequest', { key: wrongKeys.secretKey }), ExitCode.BadSignature);
            expectFail(await signedClose('closeRequest', { to: s.client.address }), ExitCode.ExpectedMyAddress);
            const payload = payloadCell({ kind: 'closeComplete', queryId: 5n, expectedMyAddress: s.proxy.address });
            const body = envelopeCell({ kind: 'closeRequest', queryId: 5n, sendExcessesTo: s.submitter.address, signature: sign(payload.hash(), proxyKeys.secretKey), payload });
            expectFail(await send(body, toNano('1')), ExitCode.SignedMsgFormatMismatch);
            const r = await signedClose('closeRequest', { queryId: 96n });
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.submitter.address, body: excessBody(96n) });
            expect((await state()).state).toBe(ProxyState.closing);
            expectFail(await signedClose('closeRequest'), ExitCode.Closed);
        });

        it('signed close complete: after the delay, everything but 0.01 TON to the owner; closed with nothing left', async () => {
            await send(proxyMessages.increaseStake(1n, 2n * TON, s.stranger.address), toNano('2.2'));
            expectFail(await signedClose('closeComplete'), ExitCode.Closed);
            await signedClose('closeRequest');
            s.blockchain.now = NOW + 3599;
            expectFail(await signedClose('closeComplete'), ExitCode.NotUnlockedYet);
            expectFail(await signedClose('closeComplete', { key: wrongKeys.secretKey }), ExitCode.BadSignature);
            s.blockchain.now = NOW + 3600;
            const r = await signedClose('closeComplete', { queryId: 97n });
            const out = outTo(proxyTx(r), s.proxyOwner.address);
            expect(plain(out.body)).toBe(plain(payoutBody(97n)));
            expect(out.value > 3n * TON).toBe(true);
            expect(await tonBalance(s.proxy.address)).toBe(toNano('0.01'));
            expect(plain(await state())).toMatchObject({ state: ProxyState.closed, balance: 0n, stake: 0n, unlockTs: 0 });
        });
    });

    describe('worker requests', () => {
        const payout = (workerPart: bigint, proxyPart: bigint) =>
            beginCell().storeUint(OP.workerProxyPayoutRequest, 32).storeCoins(workerPart).storeCoins(proxyPart).storeAddress(s.submitter.address).endCell();

        it('pays the worker part to the worker owner and keeps the proxy part as earnings', async () => {
            await topUpClient(5n * TON);
            const r = await fromMember(s.worker.address, workerRequest(payout(TON, 2n * TON)));
            const tx = proxyTx(r);
            expect(plain(outTo(tx, s.workerOwner.address))).toEqual(plain({ value: TON, bounce: false, body: payoutBody(81n) }));
            expect(outTo(tx, s.submitter.address).body.equals(excessBody(81n))).toBe(true);
            expect((await state()).balance).toBe(2n * TON);
        });

        it('ignores a request without payload (no sender check, nothing sent)', async () => {
            const r = await fromMember(s.stranger.address, workerRequest(null));
            expect(r.transactions).toHaveTransaction({ to: s.proxy.address, success: true, outMessagesCount: 0 });
        });

        it('rejects a sender that is not the derived worker (1014) and an unknown payload (1012)', async () => {
            expectFail(await fromMember(s.stranger.address, workerRequest(payout(1n, 1n))), ExitCode.ContractAddressMismatch);
            expectFail(await fromMember(s.worker.address, workerRequest(payout(1n, 1n), s.stranger.address)), ExitCode.ContractAddressMismatch);
            expectFail(await fromMember(s.worker.address, workerRequest(beginCell().storeUint(0x1111, 32).endCell())), ExitCode.UnknownOp);
        });

        it('answers a payout it cannot pay in full, or any payout once closed, with proxy_worker_unpaid: nothing paid, nothing earned', async () => {
            const before = await tonBalance(s.proxy.address);
            // 0.3 TON held: 0.29 above the floor can be paid, 0.29 TON + 1 nanoTON cannot.
            let r = await fromMember(s.worker.address, workerRequest(payout(before - toNano('0.01') + 1n, 5n)));
            let tx = proxyTx(r);
            expect(plain(outTo(tx, s.worker.address))).toMatchObject({ bounce: false, body: plain(workerUnpaidBody(81n, before - toNano('0.01') + 1n, 5n)) });
            expect(tx.outMessagesCount).toBe(1);
            expect(await tonBalance(s.proxy.address)).toBe(before - proxyStorage(r));
            expect((await state()).balance).toBe(0n);
            await closeFully();
            r = await fromMember(s.worker.address, workerRequest(payout(1n, 1n)));
            tx = proxyTx(r);
            expect(plain(outTo(tx, s.worker.address).body)).toBe(plain(workerUnpaidBody(81n, 1n, 1n)));
            expect(await tonBalance(s.proxy.address)).toBe(toNano('0.01') - proxyStorage(r));
        });
    });

    describe('client requests', () => {
        it('top-up: keeps the coins while normal or closing; returns them with proxy_client_unpaid when closed (fix 1)', async () => {
            const r = await fromMember(s.client.address, clientRequest(coinsPayload(OP.clientProxyTopUp, TON)), toNano('1.5'));
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.submitter.address, body: excessBody(71n) });
            await send(proxyMessages.closeText());
            const before = await tonBalance(s.proxy.address);
            const c = await fromMember(s.client.address, clientRequest(coinsPayload(OP.clientProxyTopUp, TON)), toNano('1.5'));
            expect(c.transactions).toHaveTransaction({ from: s.proxy.address, to: s.submitter.address, body: excessBody(71n) });
            expect(await tonBalance(s.proxy.address)).toBe(before + TON - proxyStorage(c));
            await closeFully();
            const back = await fromMember(s.client.address, clientRequest(coinsPayload(OP.clientProxyTopUp, TON)), toNano('1.5'));
            const out = outTo(proxyTx(back), s.client.address);
            expect(plain(out.body)).toBe(plain(clientUnpaidBody(71n, OP.clientProxyTopUp, TON)));
            expect([out.bounce, out.value > TON, proxyTx(back).outMessagesCount]).toEqual([false, true, 1]);
            expect(await tonBalance(s.proxy.address)).toBe(toNano('0.01') - proxyStorage(back));
        });

        it('register payload and no payload: nothing happens', async () => {
            const reg = beginCell().storeUint(OP.clientProxyRegister, 32).storeUint(7, 64).endCell();
            for (const body of [clientRequest(reg), clientRequest(null)]) {
                const r = await fromMember(s.client.address, body);
                expect(r.transactions).toHaveTransaction({ to: s.proxy.address, success: true, outMessagesCount: 0 });
            }
        });

        it('refund granted: pays the coins to the client owner; a closed proxy pays nothing and says so', async () => {
            await topUpClient(5n * TON);
            const r = await fromMember(s.client.address, clientRequest(coinsPayload(OP.clientProxyRefundGranted, 3n * TON)));
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: 3n * TON, body: payoutBody(71n) });
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.submitter.address, body: excessBody(71n) });
            await closeFully();
            const c = await fromMember(s.client.address, clientRequest(coinsPayload(OP.clientProxyRefundGranted, 2n)));
            expect(proxyTx(c).outMessagesCount).toBe(1);
            expect(plain(outTo(proxyTx(c), s.client.address).body)).toBe(plain(clientUnpaidBody(71n, OP.clientProxyRefundGranted, 2n)));
        });

        it('forced refund: paid as far as the proxy holds, the stake drawn first; the unpaid rest is answered (issue 11)', async () => {
            await topUpClient(5n * TON);
            await send(proxyMessages.increaseStake(1n, 2n * TON, s.stranger.address), toNano('2.2'));
            let r = await fromMember(s.client.address, clientRequest(coinsPayload(OP.clientProxyRefundForce, TON)));
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: TON, body: payoutBody(71n) });
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.submitter.address, body: excessBody(71n) });
            expect((await state()).stake).toBe(TON);
            // Beyond the stake the client's deposit pays (COCOON: capped at the 1 TON stake left).
            r = await fromMember(s.client.address, clientRequest(coinsPayload(OP.clientProxyRefundForce, 3n * TON)));
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: 3n * TON, body: payoutBody(71n) });
            expect((await state()).stake).toBe(0n);
            // More than the proxy holds: it pays everything above its 0.01 TON floor and answers the rest.
            const held = await tonBalance(s.proxy.address);
            r = await fromMember(s.client.address, clientRequest(coinsPayload(OP.clientProxyRefundForce, 10n * TON)));
            const paid = held - proxyStorage(r) - toNano('0.01');
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: paid, body: payoutBody(71n) });
            expect(plain(outTo(proxyTx(r), s.client.address).body)).toBe(plain(clientUnpaidBody(71n, OP.clientProxyRefundForce, 10n * TON - paid)));
            expect(await tonBalance(s.proxy.address)).toBe(toNano('0.01') - proxyStorage(r));
        });

        it('rejects a sender that is not the derived client (1014) and an unknown payload (1012)', async () => {
            expectFail(await fromMember(s.stranger.address, clientRequest(coinsPayload(OP.clientProxyTopUp, 1n))), ExitCode.ContractAddressMismatch);
            expectFail(await fromMember(s.client.address, clientRequest(coinsPayload(OP.clientProxyTopUp, 1n), s.stranger.address)), ExitCode.ContractAddressMismatch);
            expectFail(await fromMember(s.client.address, clientRequest(coinsPayload(0x2222, 1n))), ExitCode.UnknownOp);
        });

        it('cannot refund more than it holds: pays what it holds above its 0.01 TON floor and answers the rest', async () => {
            const held = await tonBalance(s.proxy.address);
            const r = await fromMember(s.client.address, clientRequest(coinsPayload(OP.clientProxyRefundGranted, 100n * TON)));
            // What it held before the message, less the storage fee this transaction collected.
            const paid = held - proxyStorage(r) - toNano('0.01');
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: paid, body: payoutBody(71n) });
            expect(plain(outTo(proxyTx(r), s.client.address).body)).toBe(plain(clientUnpaidBody(71n, OP.clientProxyRefundGranted, 100n * TON - paid)));
        });
    });
});
