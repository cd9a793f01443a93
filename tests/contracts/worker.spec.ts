import { Address, beginCell, Cell, toNano } from '@ton/core';
import '@ton/test-utils';
import { paymentsSandbox, PaymentsSandbox, workerContract } from './payments.setup';
import { excessBody, OP, otherProxyKeys, payoutBody, TON, wrongKeys, keyInt, proxyKeys, outTo, plain } from './payments.fixtures';
import { ExitCode } from '../../wrappers/exitCodes';
import { parseWorkerProxyRequest, parseWorkerStorage, readWorkerState, WorkerMessageError, workerMessages, WorkerState } from '../../wrappers/worker';
import { envelopeCell, payloadCell, SignedKind } from '../../wrappers/signing';
import { sign } from '@ton/crypto';

describe('CocoonWorker', () => {
    let s: PaymentsSandbox;
    beforeEach(async () => {
        s = await paymentsSandbox();
    });

    const payout = (newTokens: bigint, opts: { kind?: SignedKind; queryId?: bigint; value?: bigint; to?: Address; key?: Buffer } = {}) =>
        s.submitter.send({
            to: s.worker.address,
            value: opts.value ?? toNano('0.5'),
            body: s.signed(
                { kind: opts.kind ?? 'payout', queryId: opts.queryId ?? 11n, newTokens, expectedMyAddress: opts.to ?? s.worker.address },
                opts.key,
            ),
        });

    const register = (from = s.workerOwner, value = toNano('0.2')) =>
        from.send({ to: s.worker.address, value, body: workerMessages.register(3n, s.stranger.address) });

    describe('deployment and plain messages', () => {
        it('is active on the basechain at the address derived from its inputs', async () => {
            const account = await s.blockchain.getContract(s.worker.address);
            expect(account.accountState?.type).toBe('active');
            expect(s.worker.address.workChain).toBe(0);
            const again = await workerContract(s.params, s.workerOwner.address, s.proxy.address);
            expect(again.address.equals(s.worker.address)).toBe(true);
            const other = await workerContract(s.params, s.stranger.address, s.proxy.address);
            expect(other.address.equals(s.worker.address)).toBe(false);
        });

        it('starts normal with no tokens', async () => {
            expect(plain(await readWorkerState(s.worker))).toEqual(plain({
                owner: s.workerOwner.address,
                proxyAddress: s.proxy.address,
                proxyPublicKey: keyInt(proxyKeys),
                state: WorkerState.normal,
                tokens: 0n,
            }));
            const d = await s.worker.getGetCocoonWorkerData();
            expect(d.params.pricePerToken).toBe(s.params.pricePerToken);
            expect(d.params.reasoningTokensPriceMultiplier).toBe(14000n);
            expect(d.params.workerScCode).toBeNull();
        });

        it('accepts an empty body, with or without value, and sends nothing', async () => {
            for (const value of [toNano('0.01'), TON]) {
                const r = await s.stranger.send({ to: s.worker.address, value });
                expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: true, outMessagesCount: 0 });
            }
        });

        it('accepts do_not_process with only its 32-bit op', async () => {
            const r = await s.stranger.send({ to: s.worker.address, value: toNano('0.05'), body: beginCell().storeUint(OP.doNotProcess, 32).endCell() });
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: true, outMessagesCount: 0 });
        });

        it('rejects an unknown op with 1012, and with 1006 once closed', async () => {
            const body = beginCell().storeUint(0x12345678, 32).storeUint(0, 64).endCell();
            let r = await s.stranger.send({ to: s.worker.address, value: toNano('0.2'), body });
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.UnknownOp });
            await payout(10n, { kind: 'lastPayout' });
            r = await s.stranger.send({ to: s.worker.address, value: toNano('0.2'), body });
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.Closed });
            r = await s.stranger.send({ to: s.worker.address, value: toNano('0.2'), body: beginCell().storeUint(0x12345678, 32).endCell() });
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.CellUnderflow });
        });
    });

    describe('signed payout', () => {
        it('advances the counter and asks the proxy to pay the worker its fee, the proxy its margin', async () => {
            const r = await payout(1000n, { queryId: 77n });
            const tx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.worker.address.toString())!;
            const req = outTo(tx, s.proxy.address);
            expect(req.bounce).toBe(true);
            expect(tx.outMessagesCount).toBe(1);
            expect(plain(parseWorkerProxyRequest(req.body))).toEqual(plain({
                queryId: 77n,
                workerOwner: s.workerOwner.address,
                state: WorkerState.normal,
                tokens: 1000n,
                payload: { workerPart: 1000n * 100_000n, proxyPart: 1000n * 900_000n, sendExcessesTo: s.submitter.address },
            }));
            // The proxy pays exactly the worker part (mode 1) and returns the excess to the submitter.
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.workerOwner.address, value: 100_000_000n, body: payoutBody(77n) });
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.submitter.address, body: excessBody(77n) });
            expect((await readWorkerState(s.worker)).tokens).toBe(1000n);
            expect((await s.proxy.getGetCocoonProxyData()).balance).toBe(900_000_000n);
        });

        it('pays only the tokens since the last payout', async () => {
            await payout(1000n);
            const r = await payout(1500n, { queryId: 12n });
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.workerOwner.address, value: 50_000_000n, body: payoutBody(12n) });
        });

        it('rejects a wrong key (1007), the same or a lower counter (1000), another contract (1015)', async () => {
            let r = await payout(1000n, { key: wrongKeys.secretKey });
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.BadSignature });
            await payout(1000n);
            r = await payout(1000n);
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.OldMessage });
            r = await payout(999n);
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.OldMessage });
            r = await payout(2000n, { to: s.proxy.address });
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.ExpectedMyAddress });
            expect((await readWorkerState(s.worker)).tokens).toBe(1000n);
        });

        it('rejects a payload signed by another proxy key (1007)', async () => {
            const r = await payout(1000n, { key: otherProxyKeys.secretKey });
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.BadSignature });
        });

        it('needs strictly more than 0.1 TON attached (1003)', async () => {
            for (const value of [toNano('0.01'), toNano('0.1')]) {
                const r = await payout(1000n, { value });
                expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.LowMsgValue });
            }
        });

        it('rejects a payload whose op or query_id differs from the envelope (1005)', async () => {
            const env = (kind: SignedKind, payloadKind: SignedKind, qid: bigint, pqid: bigint) => {
                const payload = payloadCell({ kind: payloadKind, queryId: pqid, newTokens: 5n, expectedMyAddress: s.worker.address });
                return envelopeCell({ kind, queryId: qid, sendExcessesTo: s.submitter.address, signature: sign(payload.hash(), proxyKeys.secretKey), payload });
            };
            for (const body of [env('payout', 'lastPayout', 1n, 1n), env('payout', 'charge', 1n, 1n), env('payout', 'payout', 1n, 2n)]) {
                const r = await s.submitter.send({ to: s.worker.address, value: toNano('0.5'), body });
                expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.SignedMsgFormatMismatch });
            }
        });

        it('rejects trailing data in the signed payload (9)', async () => {
            const payload = beginCell()
                .storeSlice(payloadCell({ kind: 'payout', queryId: 1n, newTokens: 5n, expectedMyAddress: s.worker.address }).beginParse())
                .storeUint(1, 1)
                .endCell();
            const body = envelopeCell({ kind: 'payout', queryId: 1n, sendExcessesTo: s.submitter.address, signature: sign(payload.hash(), proxyKeys.secretKey), payload });
            const r = await s.submitter.send({ to: s.worker.address, value: toNano('0.5'), body });
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.CellUnderflow });
        });

        it("refuses a payout a price below the worker fee makes impossible (5), keeping the counter", async () => {
            const cheap = await paymentsSandbox({ pricePerToken: 50_000n, workerFeePerToken: 100_000n });
            const r = await cheap.submitter.send({
                to: cheap.worker.address,
                value: toNano('0.5'),
                body: cheap.signed({ kind: 'payout', queryId: 1n, newTokens: 10n, expectedMyAddress: cheap.worker.address }),
            });
            expect(r.transactions).toHaveTransaction({ to: cheap.worker.address, success: false, exitCode: ExitCode.RangeCheck });
            expect((await readWorkerState(cheap.worker)).tokens).toBe(0n);
        });
    });

    describe('signed last payout', () => {
        it('closes the worker with the final counter; the same counter is accepted', async () => {
            await payout(1000n);
            const r = await payout(1000n, { kind: 'lastPayout', queryId: 21n });
            expect(r.transactions).toHaveTransaction({ from: s.worker.address, to: s.proxy.address, success: true });
            const st = await readWorkerState(s.worker);
            expect([st.state, st.tokens]).toEqual([WorkerState.closed, 1000n]);
        });

        it('pays the last tokens and closes', async () => {
            const r = await payout(2000n, { kind: 'lastPayout', queryId: 22n });
            expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.workerOwner.address, value: 200_000_000n, body: payoutBody(22n) });
            expect((await readWorkerState(s.worker)).state).toBe(WorkerState.closed);
        });

        it('rejects a wrong key (1007) and a lower counter (1000)', async () => {
            await payout(1000n);
            let r = await payout(2000n, { kind: 'lastPayout', key: wrongKeys.secretKey });
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.BadSignature });
            r = await payout(999n, { kind: 'lastPayout' });
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.OldMessage });
        });

        it('sends the residual balance to the owner, only the excess to send_excesses_to (fix 3)', async () => {
            const before = (await s.blockchain.getContract(s.worker.address)).balance;
            const r = await payout(0n, { kind: 'lastPayout', queryId: 23n });
            const tx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.worker.address.toString())!;
            const storageFee = tx.description.type === 'generic' ? tx.description.storagePhase?.storageFeesCollected ?? 0n : 0n;
            expect(plain(outTo(tx, s.workerOwner.address))).toEqual(
                plain({ value: before - storageFee - toNano('0.01'), bounce: false, body: payoutBody(23n) }),
            );
            // The proxy's excess to the submitter is only what is left of the 0.5 TON attached.
            const excess = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.submitter.address.toString() && t.inMessage?.info.src?.toString() === s.proxy.address.toString())!;
            const v = excess.inMessage!.info.type === 'internal' ? excess.inMessage!.info.value.coins : 0n;
            expect(v < toNano('0.5')).toBe(true);
            expect(v > toNano('0.45')).toBe(true);
            expect((await s.blockchain.getContract(s.worker.address)).balance).toBe(toNano('0.01'));
        });

        it('a closed worker rejects payouts and register with 1006', async () => {
            await payout(5n, { kind: 'lastPayout' });
            let r = await payout(10n);
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.Closed });
            r = await register();
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.Closed });
        });
    });

    describe('owner register', () => {
        it('sends a 1-nanoTON information request without payload, then the excess', async () => {
            const r = await register();
            const tx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.worker.address.toString())!;
            const req = outTo(tx, s.proxy.address);
            expect(req.value).toBe(1n);
            expect(plain(parseWorkerProxyRequest(req.body))).toEqual(plain({ queryId: 3n, workerOwner: s.workerOwner.address, state: 0, tokens: 0n, payload: null }));
            expect(r.transactions).toHaveTransaction({ from: s.worker.address, to: s.stranger.address, body: excessBody(3n) });
        });

        it('needs more than 0.1 TON (1003) and the owner (1010)', async () => {
            let r = await register(s.workerOwner, toNano('0.001'));
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.LowMsgValue });
            r = await register(s.stranger);
            expect(r.transactions).toHaveTransaction({ to: s.worker.address, success: false, exitCode: ExitCode.ExpectedMessageFromOwner });
        });
    });

    it('rejects a signed payload replayed on another worker of the same proxy (1015)', async () => {
        const other = await s.workerOf(s.stranger.address);
        const body = s.signed({ kind: 'payout', queryId: 1n, newTokens: 10n, expectedMyAddress: s.worker.address });
        const r = await s.submitter.send({ to: other.address, value: toNano('0.5'), body });
        expect(r.transactions).toHaveTransaction({ to: other.address, success: false, exitCode: ExitCode.ExpectedMyAddress });
    });

    it('reads the same state from the raw data cell as from the getter', async () => {
        await payout(1000n, { queryId: 5n });
        const data = (await s.blockchain.getContract(s.worker.address)).accountState;
        if (data?.type !== 'active') throw new Error('worker not active');
        expect(plain(parseWorkerStorage(data.state.data!))).toEqual(plain(await readWorkerState(s.worker)));
        expect(() => parseWorkerStorage(beginCell().endCell())).toThrow(WorkerMessageError);
    });

    it('reads a raw envelope cell with an explicit signature', () => {
        const p = payloadCell({ kind: 'payout', queryId: 1n, newTokens: 1n, expectedMyAddress: Address.parse('0:' + '0'.repeat(64)) });
        expect(envelopeCell({ kind: 'payout', queryId: 1n, sendExcessesTo: s.submitter.address, signature: Buffer.alloc(64), payload: p }).refs[0]).toEqual(p as Cell);
    });
});
