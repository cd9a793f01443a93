// The seed's reputation snapshot op on CocoonProxy: who may publish, what replaces what, constant gas, bounces.
import { Address, beginCell, Cell, toNano } from '@ton/core';
import { sign } from '@ton/crypto';
import '@ton/test-utils';
import { paymentsSandboxNow, PaymentsSandbox } from './payments.setup';
import { excessBody, outTo, plain, proxyKeys, wrongKeys } from './payments.fixtures';
import { computeGas } from '../gas/measure';
import { measureSnapshotFee } from '../gas/reputationFees';
import { ExitCode } from '../../wrappers/exitCodes';
import { parseProxyStorage, proxyMessages } from '../../wrappers/proxy';
import {
    OP_REPUTATION_SNAPSHOT,
    parseReputationSnapshot,
    reputationSnapshotCell,
    signReputationSnapshot,
    WorkerReputation,
} from '../../wrappers/reputation';

/** Compute gas of a snapshot on the proxy contract, whatever its size (no COCOON figure: the op is the seed's). */
const REPUTATION_GAS = 8253n;
/** The first snapshot has no previous one to compare with. */
const FIRST_REPUTATION_GAS = 7853n;

/** [workers, cells, bits, nanoTON to publish through the proxy's wallet, nanoTON of storage rent per day] (docs/contracts.md). */
const SNAPSHOT_FEES = [
    [10, 20, 3915, 13_006_723n, 18_345n],
    [100, 200, 38114, 54_765_923n, 182_084n],
    [1000, 2000, 380109, 472_361_923n, 1_819_479n],
];

/** `n` distinct worker addresses with distinct figures. */
function entries(n: number): [Address, WorkerReputation][] {
    return Array.from({ length: n }, (_, i) => [
        new Address(0, Buffer.alloc(32, 0).fill(i % 256, 0, 1).fill(Math.floor(i / 256), 1, 2)),
        { requests: 100 + i, failures: i % 7, ttftP50Ms: 40 + i, tokensPerSecondP50x100: 5_000 + i, score: 9_000 - i },
    ]);
}

describe('CocoonProxy reputation snapshots', () => {
    let s: PaymentsSandbox;
    let NOW: number;
    beforeEach(async () => {
        s = await paymentsSandboxNow();
        NOW = s.blockchain.now!;
    });

    const publish = (snapshot: Cell, opts: { key?: Buffer; proxy?: Address; queryId?: bigint; value?: bigint } = {}) =>
        s.submitter.send({
            to: s.proxy.address,
            value: opts.value ?? toNano('0.2'),
            body: signReputationSnapshot(
                { queryId: opts.queryId ?? 5n, proxy: opts.proxy ?? s.proxy.address, snapshot, sendExcessesTo: s.submitter.address },
                opts.key ?? proxyKeys.secretKey,
            ),
        });
    const proxyTx = (r: { transactions: any[] }) => r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.proxy.address.toString())!;
    const reputationOf = async (worker: Address) => s.proxy.getGetWorkerReputation(worker);

    it('starts with no snapshot: both getters answer null', async () => {
        expect(await s.proxy.getGetReputationSnapshot()).toBeNull();
        expect(await reputationOf(entries(1)[0][0])).toBeNull();
    });

    it('publishes a snapshot: the getters return it exactly and the excess returns to the submitter', async () => {
        const [a, b] = entries(2);
        const balanceBefore = (await s.blockchain.getContract(s.proxy.address)).balance;
        const r = await publish(reputationSnapshotCell(NOW - 5, 3600, [a, b]), { queryId: 77n });
        expect(r.transactions).toHaveTransaction({ from: s.submitter.address, to: s.proxy.address, success: true, op: OP_REPUTATION_SNAPSHOT });
        const tx = proxyTx(r);
        const excess = outTo(tx, s.submitter.address);
        expect(excess.body.equals(excessBody(77n))).toBe(true);
        expect(excess.bounce).toBe(false);
        // Only the attached value minus this transaction's fees goes back: the proxy's own balance stays.
        const fees = tx.totalFees.coins;
        const storage = tx.description.type === 'generic' ? tx.description.storagePhase?.storageFeesCollected ?? 0n : 0n;
        expect((await s.blockchain.getContract(s.proxy.address)).balance).toBe(balanceBefore - storage);
        expect(excess.value > toNano('0.19') && excess.value < toNano('0.2')).toBe(true);

        const snap = parseReputationSnapshot((await s.proxy.getGetReputationSnapshot())!);
        expect(snap.publishedAt).toBe(NOW - 5);
        expect(snap.windowSeconds).toBe(3600);
        expect([...snap.workers.values()].map((w) => [w.worker.toRawString(), w.reputation])).toEqual([a, b].map(([w, rep]) => [w.toRawString(), rep]));
        const one = await reputationOf(b[0]);
        expect(one && { requests: one.requests, failures: one.failures, ttft: one.ttftP50Ms, tps: one.tokensPerSecondP50x100, score: one.score }).toEqual({
            requests: 101n, failures: 1n, ttft: 41n, tps: 5_001n, score: 8_999n,
        });
        expect(await reputationOf(entries(3)[2][0])).toBeNull();
    });

    it('leaves every other field of the proxy storage as it was (the root address still parses)', async () => {
        const storage = async () => {
            const a = (await s.blockchain.getContract(s.proxy.address)).accountState;
            if (a?.type !== 'active') throw new Error('proxy not active');
            return plain(parseProxyStorage(a.state.data!));
        };
        const before = await storage();
        await publish(reputationSnapshotCell(NOW, 60, entries(3)));
        expect(await storage()).toEqual(before);
        expect((await s.proxy.getGetCocoonProxyData()).root.equals(s.root.address)).toBe(true);
    });

    it('a newer snapshot replaces the last one whole; the same or an older one is refused with 1000', async () => {
        const [a, b, c] = entries(3);
        await publish(reputationSnapshotCell(NOW - 10, 600, [a, b]));
        const newer = await publish(reputationSnapshotCell(NOW - 9, 600, [c]), { queryId: 6n });
        expect(newer.transactions).toHaveTransaction({ to: s.proxy.address, success: true });
        expect(await reputationOf(a[0])).toBeNull();
        expect((await reputationOf(c[0]))?.requests).toBe(102n);

        for (const at of [NOW - 9, NOW - 20]) {
            const old = await publish(reputationSnapshotCell(at, 600, [a]), { queryId: 7n });
            expect(old.transactions).toHaveTransaction({ to: s.proxy.address, success: false, exitCode: ExitCode.OldMessage });
            expect(old.transactions).toHaveTransaction({ from: s.proxy.address, to: s.submitter.address, inMessageBounced: true });
        }
        expect(parseReputationSnapshot((await s.proxy.getGetReputationSnapshot())!).publishedAt).toBe(NOW - 9);
    });

    it('replaying the envelope that was accepted changes nothing (1000)', async () => {
        const body = signReputationSnapshot(
            { queryId: 8n, proxy: s.proxy.address, snapshot: reputationSnapshotCell(NOW, 60, entries(2)), sendExcessesTo: s.submitter.address },
            proxyKeys.secretKey,
        );
        await s.submitter.send({ to: s.proxy.address, value: toNano('0.2'), body });
        const again = await s.stranger.send({ to: s.proxy.address, value: toNano('0.2'), body });
        expect(again.transactions).toHaveTransaction({ from: s.stranger.address, to: s.proxy.address, success: false, exitCode: ExitCode.OldMessage });
    });

    it('refuses a snapshot not signed by the proxy key (1007), for another proxy (1015), or with a mismatched op or query_id (1005)', async () => {
        const snap = reputationSnapshotCell(NOW, 60, entries(1));
        const wrongKey = await publish(snap, { key: wrongKeys.secretKey });
        expect(wrongKey.transactions).toHaveTransaction({ to: s.proxy.address, success: false, exitCode: ExitCode.BadSignature });
        const other = await publish(snap, { proxy: s.stranger.address });
        expect(other.transactions).toHaveTransaction({ to: s.proxy.address, success: false, exitCode: ExitCode.ExpectedMyAddress });

        // A correctly signed payload in an envelope whose query_id differs from the payload's.
        const payload = beginCell().storeUint(OP_REPUTATION_SNAPSHOT, 32).storeUint(9n, 64).storeAddress(s.proxy.address).storeRef(snap).endCell();
        const envelope = beginCell()
            .storeUint(OP_REPUTATION_SNAPSHOT, 32)
            .storeUint(10n, 64)
            .storeAddress(s.submitter.address)
            .storeBuffer(sign(payload.hash(), proxyKeys.secretKey))
            .storeRef(payload)
            .endCell();
        const mismatch = await s.submitter.send({ to: s.proxy.address, value: toNano('0.2'), body: envelope });
        expect(mismatch.transactions).toHaveTransaction({ to: s.proxy.address, success: false, exitCode: ExitCode.SignedMsgFormatMismatch });
        expect(await s.proxy.getGetReputationSnapshot()).toBeNull();
    });

    it('needs 0.1 TON attached (1003) and an open proxy (1006 once closed); a refused snapshot bounces its value', async () => {
        const low = await publish(reputationSnapshotCell(NOW, 60, entries(1)), { value: toNano('0.09') });
        expect(low.transactions).toHaveTransaction({ to: s.proxy.address, success: false, exitCode: ExitCode.LowMsgValue });
        expect(low.transactions).toHaveTransaction({ from: s.proxy.address, to: s.submitter.address, inMessageBounced: true });

        await s.proxyOwner.send({ to: s.proxy.address, value: toNano('0.2'), body: proxyMessages.closeText() });
        const closing = await publish(reputationSnapshotCell(NOW, 60, entries(1)), { queryId: 11n });
        expect(closing.transactions).toHaveTransaction({ to: s.proxy.address, success: true });
        s.blockchain.now = NOW + 3600;
        await s.submitter.send({ to: s.proxy.address, value: toNano('1'), body: s.signed({ kind: 'closeComplete', queryId: 12n, expectedMyAddress: s.proxy.address }) });
        const closed = await publish(reputationSnapshotCell(NOW + 3600, 60, entries(1)), { queryId: 13n });
        expect(closed.transactions).toHaveTransaction({ to: s.proxy.address, success: false, exitCode: ExitCode.Closed });
    });

    it('costs the same gas for 1, 10, 100 and 1,000 workers', async () => {
        const first = await publish(reputationSnapshotCell(NOW - 200, 60, []));
        expect(computeGas(proxyTx(first))).toBe(FIRST_REPUTATION_GAS);
        const gas: bigint[] = [];
        let at = NOW - 100;
        for (const n of [1, 10, 100, 1000]) {
            const r = await publish(reputationSnapshotCell(at++, 60, entries(n)), { value: toNano('2') });
            gas.push(computeGas(proxyTx(r)));
        }
        expect(gas).toEqual([REPUTATION_GAS, REPUTATION_GAS, REPUTATION_GAS, REPUTATION_GAS]);
    });

    it('costs the proxy a measured fee per snapshot: 10, 100 and 1,000 workers published through its wallet', async () => {
        const fees = [];
        for (const n of [10, 100, 1000]) fees.push(await measureSnapshotFee(n));
        expect(fees.map((f) => [f.workers, f.cells, f.bits, f.publishFee, f.storagePerDay])).toEqual(SNAPSHOT_FEES);
    });
});
