import { Address, beginCell, Cell, toNano } from '@ton/core';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import '@ton/test-utils';
import { sign } from '@ton/crypto';
import { paymentsSandboxNow, PaymentsSandbox, clientContract } from './payments.setup';
import { excessBody, keyInt, OP, outTo, payoutBody, plain, proxyKeys, TON, wrongKeys } from './payments.fixtures';
import { ExitCode } from '../../wrappers/exitCodes';
import { clientMessages, ClientMessageError, ClientState, parseClientProxyRequest, parseClientStorage, readClientState } from '../../wrappers/client';
import { proxyMessages } from '../../wrappers/proxy';
import { envelopeCell, payloadCell, SignedKind } from '../../wrappers/signing';

const PRICE = 1_000_000n; // testParams: 0.001 TON per token

describe('CocoonClient', () => {
    let s: PaymentsSandbox;
    let NOW: number;
    beforeEach(async () => {
        s = await paymentsSandboxNow();
        NOW = s.blockchain.now!;
    });

    const send = (body: Cell, value = toNano('0.7'), from: SandboxContract<TreasuryContract> = s.clientOwner) =>
        from.send({ to: s.client.address, value, body });
    const topUp = (amount: bigint, from = s.clientOwner, value = amount + toNano('0.7')) =>
        send(clientMessages.topUp(9n, amount, s.submitter.address), value, from);
    const signed = (kind: SignedKind, newTokens: bigint, opts: { queryId?: bigint; to?: Address; key?: Buffer; value?: bigint } = {}) =>
        s.submitter.send({
            to: s.client.address,
            value: opts.value ?? toNano('0.7'),
            body: s.signed({ kind, queryId: opts.queryId ?? 31n, newTokens, expectedMyAddress: opts.to ?? s.client.address }, opts.key),
        });
    const state = () => readClientState(s.client);
    const clientTx = (r: { transactions: any[] }) => r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.client.address.toString())!;
    const tonBalance = async (a: Address) => (await s.blockchain.getContract(a)).balance;
    const expectFail = (r: { transactions: any[] }, exitCode: number) =>
        expect(r.transactions).toHaveTransaction({ to: s.client.address, success: false, exitCode });

    describe('deployment and plain messages', () => {
        it('starts normal with the minimum stake and exposes all its state', async () => {
            expect(plain(await state())).toEqual(
                plain({
                    owner: s.clientOwner.address,
                    proxyAddress: s.proxy.address,
                    proxyPublicKey: keyInt(proxyKeys),
                    state: ClientState.normal,
                    balance: 0n,
                    stake: TON,
                    tokensUsed: 0n,
                    unlockTs: 0,
                    secretHash: 0n,
                }),
            );
            const d = await s.client.getGetCocoonClientData();
            expect([d.params.promptTokensPriceMultiplier, d.params.completionTokensPriceMultiplier]).toEqual([11000n, 13000n]);
        });

        it('accepts an empty body and do_not_process (32 bits) silently', async () => {
            let r = await send(Cell.EMPTY, toNano('0.05'), s.stranger);
            expect(r.transactions).toHaveTransaction({ to: s.client.address, success: true, outMessagesCount: 0 });
            r = await send(beginCell().storeUint(OP.doNotProcess, 32).endCell(), toNano('0.05'), s.stranger);
            expect(r.transactions).toHaveTransaction({ to: s.client.address, success: true, outMessagesCount: 0 });
        });

        it('rejects an unknown op with 1012 and a one-character comment with 9', async () => {
            expectFail(await send(beginCell().storeUint(0xdeadbeef, 32).storeUint(0, 64).endCell()), ExitCode.UnknownOp);
            expectFail(await send(beginCell().storeUint(0, 32).storeStringTail('x').endCell()), ExitCode.CellUnderflow);
        });
    });

    describe('top-up', () => {
        it('counts the coins, forwards them with everything else to the proxy, which keeps them', async () => {
            const proxyBefore = await tonBalance(s.proxy.address);
            const r = await topUp(5n * TON, s.stranger);
            const req = outTo(clientTx(r), s.proxy.address);
            expect(req.bounce).toBe(true);
            expect(plain(parseClientProxyRequest(req.body))).toEqual(
                plain({
                    queryId: 9n,
                    clientOwner: s.clientOwner.address,
                    snapshot: { state: 0, balance: 5n * TON, stake: TON, tokensUsed: 0n, secretHash: 0n },
                    payload: { kind: 'topUp', coins: 5n * TON, sendExcessesTo: s.submitter.address },
                }),
            );
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.submitter.address, body: excessBody(9n), success: true });
            // The proxy keeps exactly the top-up (less the storage fee its transaction collected).
            const proxyTx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.proxy.address.toString())!;
            const storageFee = proxyTx.description.type === 'generic' ? proxyTx.description.storagePhase?.storageFeesCollected ?? 0n : 0n;
            expect((await tonBalance(s.proxy.address)) - proxyBefore).toBe(5n * TON - storageFee);
            const st = await state();
            expect(st.balance).toBe(5n * TON);
        });

        it('sums several top-ups', async () => {
            for (const a of [TON, 2n * TON, 3n * TON]) await topUp(a);
            expect((await state()).balance).toBe(6n * TON);
        });

        it('needs the top-up plus 0.1 TON attached (1003)', async () => {
            expectFail(await topUp(5n * TON, s.clientOwner, toNano('0.5')), ExitCode.LowMsgValue);
            expectFail(await topUp(5n * TON, s.clientOwner, 5n * TON + toNano('0.09')), ExitCode.LowMsgValue);
        });

        it('with a new secret hash: owner only (1010)', async () => {
            let r = await send(clientMessages.changeSecretHashAndTopUp(1n, TON, 0xabcn, s.submitter.address), toNano('1.7'));
            expect(r.transactions).toHaveTransaction({ from: s.client.address, to: s.proxy.address, success: true });
            expect([(await state()).secretHash, (await state()).balance]).toEqual([0xabcn, TON]);
            r = await send(clientMessages.changeSecretHashAndTopUp(1n, TON, 0xdefn, s.submitter.address), toNano('1.7'), s.stranger);
            expectFail(r, ExitCode.ExpectedMessageFromOwner);
        });
    });

    describe('owner information ops', () => {
        it('register sends the nonce in a 1-nanoTON request, then the excess', async () => {
            const r = await send(clientMessages.register(5n, 0x1122334455667788n, s.stranger.address));
            const tx = clientTx(r);
            const req = outTo(tx, s.proxy.address);
            expect(req.value).toBe(1n);
            expect(plain(parseClientProxyRequest(req.body).payload)).toEqual({ kind: 'register', nonce: 0x1122334455667788n });
            expect(r.transactions).toHaveTransaction({ from: s.client.address, to: s.stranger.address, body: excessBody(5n) });
        });

        it('register needs 0.1 TON (1003, even with 0.001 TON) and the owner (1010)', async () => {
            expectFail(await send(clientMessages.register(5n, 1n, s.stranger.address), toNano('0.001')), ExitCode.LowMsgValue);
            expectFail(await send(clientMessages.register(5n, 1n, s.stranger.address), toNano('0.7'), s.stranger), ExitCode.ExpectedMessageFromOwner);
        });

        it('change secret hash: stored and reported in the snapshot; owner only', async () => {
            const r = await send(clientMessages.changeSecretHash(6n, 0x77n, s.clientOwner.address));
            const req = parseClientProxyRequest(outTo(clientTx(r), s.proxy.address).body);
            expect([req.snapshot.secretHash, req.payload]).toEqual([0x77n, null]);
            expectFail(await send(clientMessages.changeSecretHash(6n, 0x78n, s.clientOwner.address), toNano('0.7'), s.stranger), ExitCode.ExpectedMessageFromOwner);
            expect((await state()).secretHash).toBe(0x77n);
        });

        it('increase stake: only upwards (1003), owner only (1010)', async () => {
            await send(clientMessages.increaseStake(1n, 2n * TON, s.clientOwner.address));
            await send(clientMessages.increaseStake(1n, 4n * TON, s.clientOwner.address));
            expect((await state()).stake).toBe(4n * TON);
            expectFail(await send(clientMessages.increaseStake(1n, 4n * TON, s.clientOwner.address)), ExitCode.LowMsgValue);
            expectFail(await send(clientMessages.increaseStake(1n, 3n * TON, s.clientOwner.address)), ExitCode.LowMsgValue);
            expectFail(await send(clientMessages.increaseStake(1n, 5n * TON, s.clientOwner.address), toNano('0.7'), s.stranger), ExitCode.ExpectedMessageFromOwner);
        });

        it('a contract below its balance floor refuses with 1001', async () => {
            const poor = s.blockchain.openContract(await clientContract(s.params, s.stranger.address, s.proxy.address));
            await s.submitter.send({ to: poor.address, value: toNano('0.05'), init: poor.init, bounce: false });
            const r = await s.stranger.send({ to: poor.address, value: toNano('0.1'), body: clientMessages.register(1n, 1n, s.stranger.address) });
            expect(r.transactions).toHaveTransaction({ to: poor.address, success: false, exitCode: ExitCode.LowSmcBalance });
        });
    });

    describe('withdraw', () => {
        it('refunds what exceeds the stake through the proxy', async () => {
            await topUp(10n * TON);
            const r = await send(clientMessages.withdraw(12n, s.clientOwner.address));
            const req = parseClientProxyRequest(outTo(clientTx(r), s.proxy.address).body);
            expect(plain(req.payload)).toEqual(plain({ kind: 'refundGranted', coins: 9n * TON, sendExcessesTo: s.clientOwner.address }));
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: 9n * TON, body: payoutBody(12n) });
            expect((await state()).balance).toBe(TON);
        });

        it('needs a balance above the stake (1001), the owner (1009), a normal contract (1006)', async () => {
            expectFail(await send(clientMessages.withdraw(1n, s.clientOwner.address)), ExitCode.LowSmcBalance);
            await topUp(10n * TON);
            expectFail(await send(clientMessages.withdraw(1n, s.clientOwner.address), toNano('0.7'), s.stranger), ExitCode.ExpectedOwner);
            await send(clientMessages.requestRefund(2n, s.clientOwner.address));
            expectFail(await send(clientMessages.withdraw(1n, s.clientOwner.address)), ExitCode.Closed);
        });
    });

    describe('request refund', () => {
        it('normal → closing, refunding what exceeds the stake at once', async () => {
            await topUp(10n * TON);
            const r = await send(clientMessages.requestRefund(13n, s.clientOwner.address));
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: 9n * TON, body: payoutBody(13n) });
            const st = await state();
            expect([st.state, st.balance, st.unlockTs]).toEqual([ClientState.closing, TON, NOW + 3600]);
        });

        it('normal → closing without refund when the balance does not exceed the stake', async () => {
            const r = await send(clientMessages.requestRefund(14n, s.clientOwner.address));
            expect(outTo(clientTx(r), s.proxy.address).value).toBe(1n);
            expect(r.transactions).toHaveTransaction({ from: s.client.address, to: s.clientOwner.address, body: excessBody(14n) });
            expect((await state()).state).toBe(ClientState.closing);
        });

        it('closing → closed strictly after the unlock time, forcing the refund from the proxy stake', async () => {
            await topUp(3n * TON);
            await s.proxyOwner.send({ to: s.proxy.address, value: toNano('5.2'), body: proxyMessages.increaseStake(1n, 5n * TON, s.proxyOwner.address) });
            await send(clientMessages.requestRefund(1n, s.clientOwner.address));
            s.blockchain.now = NOW + 3600;
            expectFail(await send(clientMessages.requestRefund(2n, s.clientOwner.address)), ExitCode.NotUnlockedYet);
            s.blockchain.now = NOW + 3601;
            const r = await send(clientMessages.requestRefund(3n, s.clientOwner.address));
            const req = parseClientProxyRequest(outTo(clientTx(r), s.proxy.address).body);
            expect(plain(req.payload)).toEqual(plain({ kind: 'refundForce', coins: TON, sendExcessesTo: s.clientOwner.address }));
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: TON, body: payoutBody(3n) });
            expect([(await state()).state, (await state()).balance]).toEqual([ClientState.closed, 0n]);
            expect((await s.proxy.getGetCocoonProxyData()).stake).toBe(4n * TON);
            expectFail(await send(clientMessages.requestRefund(4n, s.clientOwner.address)), ExitCode.Closed);
        });

        it('owner only (1009)', async () => {
            expectFail(await send(clientMessages.requestRefund(1n, s.clientOwner.address), toNano('0.7'), s.stranger), ExitCode.ExpectedOwner);
        });
    });

    describe('signed charge', () => {
        it('charges the new tokens, reports to the proxy, returns the excess', async () => {
            await topUp(10n * TON);
            const r = await signed('charge', 500n, { queryId: 41n });
            const tx = clientTx(r);
            const req = outTo(tx, s.proxy.address);
            expect(req.value).toBe(1n);
            expect(plain(parseClientProxyRequest(req.body).snapshot)).toEqual(
                plain({ state: 0, balance: 10n * TON - 500n * PRICE, stake: TON, tokensUsed: 500n, secretHash: 0n }),
            );
            expect(r.transactions).toHaveTransaction({ from: s.client.address, to: s.submitter.address, body: excessBody(41n) });
        });

        it('charges cumulatively and empties the balance on an over-charge', async () => {
            await topUp(TON);
            for (const n of [100n, 250n, 500n]) await signed('charge', n);
            expect((await state()).balance).toBe(TON - 500n * PRICE);
            await signed('charge', 2000n);
            expect([(await state()).balance, (await state()).tokensUsed]).toEqual([0n, 2000n]);
        });

        it('rejects a wrong key (1007), an old counter (1000), another contract (1015), op/query_id mismatch (1005)', async () => {
            expectFail(await signed('charge', 500n, { key: wrongKeys.secretKey }), ExitCode.BadSignature);
            await signed('charge', 500n);
            expectFail(await signed('charge', 500n), ExitCode.OldMessage);
            expectFail(await signed('charge', 600n, { to: s.worker.address }), ExitCode.ExpectedMyAddress);
            const payload = payloadCell({ kind: 'grantRefund', queryId: 31n, newTokens: 900n, expectedMyAddress: s.client.address });
            const body = envelopeCell({ kind: 'charge', queryId: 31n, sendExcessesTo: s.submitter.address, signature: sign(payload.hash(), proxyKeys.secretKey), payload });
            expectFail(await send(body), ExitCode.SignedMsgFormatMismatch);
            const payload2 = payloadCell({ kind: 'charge', queryId: 32n, newTokens: 900n, expectedMyAddress: s.client.address });
            const body2 = envelopeCell({ kind: 'charge', queryId: 31n, sendExcessesTo: s.submitter.address, signature: sign(payload2.hash(), proxyKeys.secretKey), payload: payload2 });
            expectFail(await send(body2), ExitCode.SignedMsgFormatMismatch);
        });

        it('needs 0.1 TON attached (1003)', async () => {
            expectFail(await signed('charge', 5n, { value: toNano('0.05') }), ExitCode.LowMsgValue);
        });
    });

    describe('signed grant refund', () => {
        it('applies the final charge, closes, and refunds the rest through the proxy', async () => {
            await topUp(10n * TON);
            const r = await signed('grantRefund', 1000n, { queryId: 51n });
            const req = parseClientProxyRequest(outTo(clientTx(r), s.proxy.address).body);
            const refund = 10n * TON - 1000n * PRICE;
            expect(plain(req.payload)).toEqual(plain({ kind: 'refundGranted', coins: refund, sendExcessesTo: s.submitter.address }));
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: refund, body: payoutBody(51n) });
            const st = await state();
            expect([st.state, st.balance, st.tokensUsed, st.unlockTs]).toEqual([ClientState.closed, 0n, 1000n, 0]);
        });

        it('works while closing (the proxy settles a client that asked for its refund)', async () => {
            await topUp(2n * TON);
            await send(clientMessages.requestRefund(1n, s.clientOwner.address));
            const r = await signed('grantRefund', 100n, { queryId: 52n });
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.clientOwner.address, value: TON - 100n * PRICE, body: payoutBody(52n) });
            expect((await state()).state).toBe(ClientState.closed);
        });

        it('sends what the contract held to the owner, only the excess to send_excesses_to (fix 3)', async () => {
            await topUp(TON);
            const before = await tonBalance(s.client.address);
            const r = await signed('grantRefund', 0n, { queryId: 53n });
            const tx = clientTx(r);
            const storageFee = tx.description.type === 'generic' ? tx.description.storagePhase?.storageFeesCollected ?? 0n : 0n;
            expect(plain(outTo(tx, s.clientOwner.address))).toEqual(plain({ value: before - storageFee - toNano('0.01'), bounce: false, body: payoutBody(53n) }));
            expect(await tonBalance(s.client.address)).toBe(toNano('0.01'));
        });

        it('rejects a wrong key (1007), a lower counter (1000), a closed empty contract (1006)', async () => {
            await signed('charge', 100n);
            expectFail(await signed('grantRefund', 100n, { key: wrongKeys.secretKey }), ExitCode.BadSignature);
            expectFail(await signed('grantRefund', 99n), ExitCode.OldMessage);
            await signed('grantRefund', 100n);
            expectFail(await signed('grantRefund', 100n), ExitCode.Closed);
        });
    });

    it('a closed contract rejects top-ups, owner ops and charges with 1006', async () => {
        await signed('grantRefund', 0n);
        expectFail(await topUp(TON), ExitCode.Closed);
        expectFail(await send(clientMessages.changeSecretHash(1n, 1n, s.clientOwner.address)), ExitCode.Closed);
        expectFail(await send(clientMessages.register(1n, 1n, s.clientOwner.address)), ExitCode.Closed);
        expectFail(await send(clientMessages.increaseStake(1n, 9n * TON, s.clientOwner.address)), ExitCode.Closed);
        expectFail(await send(clientMessages.changeSecretHashAndTopUp(1n, TON, 1n, s.clientOwner.address), toNano('1.7')), ExitCode.Closed);
        expectFail(await send(clientMessages.requestRefund(1n, s.clientOwner.address)), ExitCode.Closed);
        expectFail(await signed('charge', 10n), ExitCode.Closed);
    });

    it('reads the same state from the raw data cell as from the getter', async () => {
        await topUp(3n * TON);
        await send(clientMessages.withdraw(2n, s.clientOwner.address));
        const data = (await s.blockchain.getContract(s.client.address)).accountState;
        if (data?.type !== 'active') throw new Error('client not active');
        expect(plain(parseClientStorage(data.state.data!))).toEqual(plain(await state()));
        expect((await state()).balance).toBe(TON);
        expect(() => parseClientStorage(beginCell().storeUint(1, 3).endCell())).toThrow(ClientMessageError);
    });

    it('full lifecycle: top-up, charges, withdraw, refund request, grant refund', async () => {
        await topUp(5n * TON);
        await signed('charge', 1000n);
        await send(clientMessages.withdraw(2n, s.clientOwner.address));
        expect((await state()).balance).toBe(TON);
        await send(clientMessages.requestRefund(3n, s.clientOwner.address));
        await signed('grantRefund', 1500n);
        const st = await state();
        expect([st.state, st.balance, st.tokensUsed]).toEqual([ClientState.closed, 0n, 1500n]);
    });
});
