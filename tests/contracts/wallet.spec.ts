import '@ton/test-utils';
import { beginCell, Cell, toNano } from '@ton/core';
import { ExitCode } from '../../wrappers/exitCodes';
import {
    internalMessageCell,
    ownerSendMessageBody,
    readWalletState,
    signedWalletBody,
    walletCommandBody,
    walletFromInit,
    walletSigningCell,
} from '../../wrappers/wallet';
import { deployWallet, sendExternal, WALLET_KEY, WalletFixture, WRONG_KEY } from '../helpers/walletFixture';

const COMMENT = (text: string) => beginCell().storeUint(0, 32).storeStringTail(text).endCell();

async function state(f: WalletFixture) {
    const s = await readWalletState(f.blockchain.provider(f.wallet.address));
    if (!s) throw new Error('wallet not deployed');
    return s;
}

async function balance(f: WalletFixture): Promise<bigint> {
    return (await f.blockchain.getContract(f.wallet.address)).balance;
}

/** An external message that the wallet refuses is not accepted: the sandbox throws with the exit code. */
async function expectRejected(p: Promise<unknown>, exitCode: number): Promise<void> {
    await expect(p).rejects.toMatchObject({ exitCode });
}

describe('CocoonWallet', () => {
    let f: WalletFixture;
    const pay = (value: bigint, bounce = false, body?: Cell) =>
        internalMessageCell({ to: f.stranger.address, value, bounce, body });

    beforeEach(async () => {
        f = await deployWallet();
    });

    describe('deployment and getters', () => {
        it('stores seqno 0, subwallet 0, the key, status 0 and the owner in COCOON layout (619 bits)', async () => {
            const s = await state(f);
            expect({ ...s, owner: s.owner.toString() }).toEqual({
                seqno: 0,
                subwalletId: 0,
                publicKey: WALLET_KEY.publicKey,
                status: 0,
                blocked: false,
                owner: f.owner.address.toString(),
            });
            const acc = (await f.blockchain.getContract(f.wallet.address)).accountState;
            expect(acc?.type === 'active' && acc.state.data!.bits.length).toBe(619);
            expect(await balance(f)).toBeGreaterThan(toNano('4.99'));
        });

        it('answers seqno, get_public_key, get_owner_address and get_wallet_data', async () => {
            expect(await f.wallet.getSeqno()).toBe(0n);
            expect(await f.wallet.getGetPublicKey()).toBe(BigInt('0x' + WALLET_KEY.publicKey.toString('hex')));
            expect((await f.wallet.getGetOwnerAddress()).equals(f.owner.address)).toBe(true);
            const d = await f.wallet.getGetWalletData();
            expect([d.seqno, d.subwalletId, d.status]).toEqual([0n, 0n, 0n]);
        });

        it('has a distinct address per key and per owner', async () => {
            const a = await walletFromInit(WALLET_KEY.publicKey, f.owner.address);
            const b = await walletFromInit(WRONG_KEY.publicKey, f.owner.address);
            const c = await walletFromInit(WALLET_KEY.publicKey, f.stranger.address);
            expect(new Set([a, b, c].map((w) => w.address.toString())).size).toBe(3);
            expect(a.address.equals(f.wallet.address)).toBe(true);
        });
    });

    describe('external messages', () => {
        it('sends the signed message and increments seqno', async () => {
            const r = await sendExternal(f, { seqno: 0, messages: [{ mode: 1, message: pay(toNano('0.1')) }] });
            expect(r.transactions).toHaveTransaction({
                from: f.wallet.address,
                to: f.stranger.address,
                value: toNano('0.1'),
                inMessageBounceable: false,
            });
            expect((await state(f)).seqno).toBe(1);
        });

        it('fails with 1030 when valid_until is not in the future', async () => {
            await expectRejected(sendExternal(f, { seqno: 0, messages: [], validUntil: f.blockchain.now! }), ExitCode.WalletExpired);
        });

        it('fails with 1031 when blocked, 1032 on a wrong seqno, 1033 on a wrong subwallet, 1034 on a wrong key', async () => {
            await expectRejected(sendExternal(f, { seqno: 1, messages: [] }), ExitCode.WalletBadSeqno);
            await expectRejected(sendExternal(f, { seqno: 0, subwalletId: 1, messages: [] }), ExitCode.WalletBadSubwallet);
            await expectRejected(sendExternal(f, { seqno: 0, messages: [], secretKey: WRONG_KEY.secretKey }), ExitCode.WalletBadSignature);
            await f.owner.send({ to: f.wallet.address, value: toNano('0.05'), body: walletCommandBody('b') });
            await expectRejected(sendExternal(f, { seqno: 0, messages: [] }), ExitCode.WalletBlocked);
            expect((await state(f)).seqno).toBe(0);
        });

        it('checks in COCOON\'s order: an expired message from a blocked wallet fails with 1030', async () => {
            await f.owner.send({ to: f.wallet.address, value: toNano('0.05'), body: walletCommandBody('b') });
            await expectRejected(
                sendExternal(f, { seqno: 7, messages: [], validUntil: 1, secretKey: WRONG_KEY.secretKey }),
                ExitCode.WalletExpired,
            );
        });

        it('fails with 1035 below 2 TON', async () => {
            (await f.blockchain.getContract(f.wallet.address)).balance = toNano('1.99');
            await expectRejected(sendExternal(f, { seqno: 0, messages: [] }), ExitCode.WalletLowBalance);
        });

        it('a replayed message fails with 1032', async () => {
            const body = signedWalletBody({ wallet: f.wallet.address, secretKey: f.key.secretKey, validUntil: f.blockchain.now! + 60, seqno: 0, messages: [] });
            const send = () => f.blockchain.sendMessage({ info: { type: 'external-in', dest: f.wallet.address, importFee: 0n }, body });
            await send();
            await expectRejected(send(), ExitCode.WalletBadSeqno);
        });

        it('sends up to four messages with their own modes, bodies and bounce flags', async () => {
            const body = beginCell().storeUint(0xabcdef01, 32).storeUint(5, 64).endCell();
            const r = await sendExternal(f, {
                seqno: 0,
                messages: [
                    { mode: 1, message: pay(toNano('0.1')) },
                    { mode: 1, message: pay(toNano('0.2'), true, body) },
                    { mode: 0, message: pay(toNano('0.3')) },
                    { mode: 1, message: internalMessageCell({ to: f.owner.address, value: toNano('0.4'), bounce: false }) },
                ],
            });
            expect(r.transactions).toHaveTransaction({ from: f.wallet.address, to: f.stranger.address, value: toNano('0.1') });
            expect(r.transactions).toHaveTransaction({
                from: f.wallet.address,
                to: f.stranger.address,
                value: toNano('0.2'),
                body,
                op: 0xabcdef01,
                inMessageBounceable: true,
            });
            // mode 0: the forward fee comes out of the value
            expect(r.transactions).toHaveTransaction({ from: f.wallet.address, to: f.stranger.address, value: (v) => v! < toNano('0.3') && v! > toNano('0.29') });
            expect(r.transactions).toHaveTransaction({ from: f.wallet.address, to: f.owner.address, value: toNano('0.4') });
            const walletTx = r.transactions.find((t) => t.inMessage?.info.type === 'external-in')!;
            expect(walletTx.outMessagesCount).toBe(4);
            expect(() => walletSigningCell({ validUntil: 1, seqno: 0, messages: Array(5).fill({ mode: 1, message: pay(1n) }) })).toThrow(
                '5 messages; at most 4 fit one external message',
            );
        });

        it('an external whose message cannot be sent still uses up its seqno: replaying it fails with 1032 (issue 11)', async () => {
            // 100 TON from a 5 TON wallet: COCOON's action phase fails, which undoes the seqno increment, so anyone
            // could replay the message until valid_until at 0.0020204 TON of the wallet's gas each time.
            const body = signedWalletBody({
                wallet: f.wallet.address,
                secretKey: f.key.secretKey,
                validUntil: f.blockchain.now! + 3600,
                seqno: 0,
                messages: [
                    { mode: 0, message: pay(toNano('100')) },
                    { mode: 1, message: pay(toNano('0.1')) },
                ],
            });
            const send = () => f.blockchain.sendMessage({ info: { type: 'external-in', dest: f.wallet.address, importFee: 0n }, body });
            const r = await send();
            const tx = r.transactions[0];
            if (tx.description.type !== 'generic' || !tx.description.actionPhase) throw new Error('no action phase');
            expect([tx.description.actionPhase.success, tx.description.actionPhase.skippedActions, tx.outMessagesCount]).toEqual([true, 1, 1]);
            expect(r.transactions).toHaveTransaction({ from: f.wallet.address, to: f.stranger.address, value: toNano('0.1') });
            expect((await state(f)).seqno).toBe(1);
            await expectRejected(send(), ExitCode.WalletBadSeqno);
        });

        it('refuses, before accepting it, an external with a mode the action phase would refuse (1036)', async () => {
            for (const mode of [4, 8, 192, 199]) {
                await expectRejected(sendExternal(f, { seqno: 0, messages: [{ mode: 1, message: pay(1n) }, { mode, message: pay(1n) }] }), ExitCode.WalletBadMode);
            }
            expect((await state(f)).seqno).toBe(0);
        });

        it('refuses with 1034 an external signed for another wallet with the same key, subwallet and seqno (issue 11)', async () => {
            const other = f.blockchain.openContract(await walletFromInit(f.key.publicKey, f.stranger.address));
            await f.stranger.send({ to: other.address, value: toNano('5'), init: other.init, bounce: false });
            const forOther = signedWalletBody({
                wallet: other.address,
                secretKey: f.key.secretKey,
                validUntil: f.blockchain.now! + 60,
                seqno: 0,
                messages: [{ mode: 1, message: internalMessageCell({ to: f.owner.address, value: toNano('1'), bounce: false }) }],
            });
            // COCOON's wallet pays the 1 TON from this wallet too.
            await expectRejected(
                f.blockchain.sendMessage({ info: { type: 'external-in', dest: f.wallet.address, importFee: 0n }, body: forOther }),
                ExitCode.WalletBadSignature,
            );
            expect((await state(f)).seqno).toBe(0);
            const r = await f.blockchain.sendMessage({ info: { type: 'external-in', dest: other.address, importFee: 0n }, body: forOther });
            expect(r.transactions).toHaveTransaction({ from: other.address, to: f.owner.address, value: toNano('1') });
            // The address stays derivable from the public inputs: key, owner, subwallet id.
            expect(other.address.equals((await walletFromInit(f.key.publicKey, f.stranger.address, 0)).address)).toBe(true);
        });

        it('increments seqno 1 → 2 → 3, also for an empty list', async () => {
            await sendExternal(f, { seqno: 0, messages: [] });
            await sendExternal(f, { seqno: 1, messages: [{ mode: 1, message: pay(toNano('0.1')) }] });
            const r = await sendExternal(f, { seqno: 2, messages: [] });
            expect(r.transactions[0].outMessagesCount).toBe(0);
            expect((await state(f)).seqno).toBe(3);
        });
    });

    it('is deployed by its first external request, as COCOON\'s driver does while seqno is 0', async () => {
        const g = await deployWallet();
        const w = await walletFromInit(WRONG_KEY.publicKey, g.owner.address);
        await g.owner.send({ to: w.address, value: toNano('3'), bounce: false });
        expect(await readWalletState(g.blockchain.provider(w.address))).toBeNull();
        const body = signedWalletBody({
            wallet: w.address,
            secretKey: WRONG_KEY.secretKey,
            validUntil: g.blockchain.now! + 60,
            seqno: 0,
            messages: [{ mode: 1, message: internalMessageCell({ to: g.stranger.address, value: toNano('1'), bounce: false }) }],
        });
        const r = await g.blockchain.openContract(w).sendExternal(body.beginParse());
        expect(r.transactions).toHaveTransaction({ from: w.address, to: g.stranger.address, value: toNano('1') });
        const s = await readWalletState(g.blockchain.provider(w.address));
        expect([s?.seqno, s?.publicKey]).toEqual([1, WRONG_KEY.publicKey]);
        expect((await g.blockchain.getContract(w.address)).balance).toBeLessThan(toNano('2'));
    });

    describe('owner internal messages', () => {
        it('send_message forwards the owner\'s message with its mode', async () => {
            const body = beginCell().storeUint(0x11111111, 32).endCell();
            const r = await f.owner.send({
                to: f.wallet.address,
                value: toNano('0.05'),
                body: ownerSendMessageBody(pay(toNano('0.7'), true, body), 1, 9n),
            });
            expect(r.transactions).toHaveTransaction({
                from: f.wallet.address,
                to: f.stranger.address,
                value: toNano('0.7'),
                body,
                inMessageBounceable: true,
            });
        });

        it('send_message, "w", "b", "u" and any other body from a non-owner fail with 1040', async () => {
            const bodies = [
                ownerSendMessageBody(pay(toNano('0.7')), 1),
                walletCommandBody('w'),
                walletCommandBody('b'),
                walletCommandBody('u'),
                COMMENT('hello'),
                beginCell().storeUint(0x12345678, 32).endCell(),
            ];
            for (const body of bodies) {
                const r = await f.stranger.send({ to: f.wallet.address, value: toNano('0.05'), body });
                expect(r.transactions).toHaveTransaction({ to: f.wallet.address, exitCode: ExitCode.WalletNotOwner });
            }
            expect((await state(f)).status).toBe(0);
        });

        it('"w" returns everything but at most 0.01 TON to the owner, bounceable, with body 0 ‖ "w"', async () => {
            const before = await balance(f);
            const r = await f.owner.send({ to: f.wallet.address, value: toNano('0.05'), body: walletCommandBody('w') });
            expect(r.transactions).toHaveTransaction({
                from: f.wallet.address,
                to: f.owner.address,
                body: walletCommandBody('w'),
                inMessageBounceable: true,
                value: (v) => v! > before && v! < before + toNano('0.05'),
            });
            expect(await balance(f)).toBe(toNano('0.01'));
        });

        it('"b" blocks the key and "u" unblocks it', async () => {
            await f.owner.send({ to: f.wallet.address, value: toNano('0.05'), body: walletCommandBody('b') });
            expect((await state(f)).status).toBe(1);
            await expectRejected(sendExternal(f, { seqno: 0, messages: [] }), ExitCode.WalletBlocked);
            await f.owner.send({ to: f.wallet.address, value: toNano('0.05'), body: walletCommandBody('u') });
            expect((await state(f)).status).toBe(0);
            await sendExternal(f, { seqno: 0, messages: [] });
            expect((await state(f)).seqno).toBe(1);
        });

        it('another command or op from the owner fails with 1041; a longer comment with 9', async () => {
            for (const body of [COMMENT('x'), beginCell().storeUint(0x12345678, 32).storeUint(0, 64).endCell()]) {
                const r = await f.owner.send({ to: f.wallet.address, value: toNano('0.05'), body });
                expect(r.transactions).toHaveTransaction({ to: f.wallet.address, exitCode: ExitCode.WalletUnknownOp });
            }
            const r = await f.owner.send({ to: f.wallet.address, value: toNano('0.05'), body: COMMENT('ww') });
            expect(r.transactions).toHaveTransaction({ to: f.wallet.address, exitCode: ExitCode.CellUnderflow });
        });
    });

    describe('incoming funds', () => {
        it.each([
            ['empty body', undefined],
            ['excesses', beginCell().storeUint(0x2565934c, 32).storeUint(1, 64).endCell()],
            ['payout', beginCell().storeUint(0xc59a7cd3, 32).storeUint(1, 64).endCell()],
            ['do_not_process', beginCell().storeUint(0x9a1247c0, 32).endCell()],
            ['short excesses', beginCell().storeUint(0x2565934c, 32).endCell()],
            ['a body under 32 bits (Tact routes it as empty; COCOON: exit 9)', beginCell().storeUint(0xff, 8).endCell()],
        ])('%s from anyone is accepted silently', async (_, body) => {
            const before = await balance(f);
            const r = await f.stranger.send({ to: f.wallet.address, value: toNano('1'), body });
            expect(r.transactions).toHaveTransaction({ to: f.wallet.address, success: true, outMessagesCount: 0 });
            expect(await balance(f)).toBeGreaterThan(before + toNano('0.99'));
        });

        it('ignores bounced messages', async () => {
            const r = await f.blockchain.sendMessage({
                info: {
                    type: 'internal', ihrDisabled: true, bounce: false, bounced: true,
                    src: f.stranger.address, dest: f.wallet.address, value: { coins: toNano('0.1') },
                    ihrFee: 0n, forwardFee: 0n, createdLt: 0n, createdAt: 0,
                },
                body: beginCell().storeUint(0xffffffff, 32).storeStringTail('b').endCell(),
            });
            expect(r.transactions).toHaveTransaction({ to: f.wallet.address, success: true, outMessagesCount: 0 });
        });
    });
});
