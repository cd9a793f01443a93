import '@ton/test-utils';
import { beginCell, Cell, toNano } from '@ton/core';
import { ExitCode } from '../../wrappers/exitCodes';
import { paramsCell } from '../../wrappers/params';
import {
    addHashBody,
    changeOwnerBody,
    registerProxyBody,
    resetRootBody,
    rootDataCell,
    upgradeCodeBody,
    upgradeFullBody,
} from '../../wrappers/root';
import { defaultParams, deployRoot, RootFixture, rootState, sendToRoot } from '../helpers/rootFixture';

const EXCESSES = 0x2565934c;
const excessBody = (queryId: bigint) => beginCell().storeUint(EXCESSES, 32).storeUint(queryId, 64).endCell();

async function account(f: RootFixture) {
    const s = (await f.blockchain.getContract(f.root.address)).accountState;
    if (s?.type !== 'active') throw new Error('root is not active');
    return s.state;
}

describe('CocoonRoot administration', () => {
    let f: RootFixture;

    beforeEach(async () => {
        f = await deployRoot();
    });

    it('upgrade (own code) sets the code, sends the excess and leaves version alone', async () => {
        const newCode = beginCell().storeUint(0xdead, 16).endCell();
        const dataBefore = (await account(f)).data!;
        const r = await sendToRoot(f, upgradeCodeBody(newCode, 8n));
        expect(r.transactions).toHaveTransaction({ from: f.root.address, to: f.owner.address, body: excessBody(8n) });
        const s = await account(f);
        expect(s.code!.equals(newCode)).toBe(true);
        expect(s.data!.equals(dataBefore)).toBe(true);
    });

    it('upgrade by a non-owner fails with 1010', async () => {
        const r = await sendToRoot(f, upgradeCodeBody(beginCell().endCell()), toNano('0.1'), f.stranger);
        expect(r.transactions).toHaveTransaction({ to: f.root.address, exitCode: ExitCode.ExpectedMessageFromOwner });
    });

    it('reset clears the four dictionaries and keeps last_proxy_seqno', async () => {
        await sendToRoot(f, addHashBody('proxy', 1n));
        await sendToRoot(f, addHashBody('worker', 2n));
        await sendToRoot(f, addHashBody('model', 3n));
        await sendToRoot(f, registerProxyBody('1.1.1.1:1'));
        await sendToRoot(f, registerProxyBody('1.1.1.1:2'));
        const r = await sendToRoot(f, resetRootBody(6n));
        expect(r.transactions).toHaveTransaction({ from: f.root.address, to: f.owner.address, body: excessBody(6n) });
        const s = await rootState(f);
        expect(s.registry).toEqual({
            proxyHashes: [],
            registeredProxies: new Map(),
            lastProxySeqno: 2,
            workerHashes: [],
            modelHashes: [],
        });
        expect(s.version).toBe(6);
        await sendToRoot(f, registerProxyBody('1.1.1.1:3'));
        expect([...(await rootState(f)).registry.registeredProxies.keys()]).toEqual([3]);
    });

    it('upgrade_full replaces data and code verbatim (no version bump on top) and sends the excess', async () => {
        const code = (await account(f)).code!;
        const params = { ...defaultParams(), paramsVersion: 2, uniqueId: 54321, isTest: false };
        const state = {
            owner: f.stranger.address,
            version: 999,
            registry: { proxyHashes: [5n], registeredProxies: new Map([[7, { type: 0, text: '9.9.9.9:9' }]]), lastProxySeqno: 7, workerHashes: [], modelHashes: [] },
            params,
        };
        const data = rootDataCell(state);
        const r = await sendToRoot(f, upgradeFullBody(data, code, 2n));
        expect(r.transactions).toHaveTransaction({ to: f.root.address, success: true, exitCode: 0 });
        expect(r.transactions).toHaveTransaction({ from: f.root.address, to: f.owner.address, body: excessBody(2n) });
        expect((await account(f)).data!.equals(data)).toBe(true);
        const d = await f.root.getGetCocoonData();
        expect([d.version, d.lastProxySeqno, d.paramsVersion, d.uniqueId, d.isTest]).toEqual([999n, 7n, 2n, 54321n, 0n]);
        expect(d.owner.equals(f.stranger.address)).toBe(true);
        // the new owner governs from now on
        const r2 = await sendToRoot(f, addHashBody('model', 1n));
        expect(r2.transactions).toHaveTransaction({ to: f.root.address, exitCode: ExitCode.ExpectedMessageFromOwner });
        const r3 = await sendToRoot(f, addHashBody('model', 1n), toNano('0.1'), f.stranger);
        expect(r3.transactions).toHaveTransaction({ to: f.root.address, success: true });
        expect((await rootState(f)).version).toBe(1000);
    });

    it('change_owner hands over governance, bumps version and returns the excess to the old owner', async () => {
        const r = await sendToRoot(f, changeOwnerBody(f.stranger.address, 3n));
        expect(r.transactions).toHaveTransaction({ from: f.root.address, to: f.owner.address, body: excessBody(3n) });
        const s = await rootState(f);
        expect(s.owner.equals(f.stranger.address)).toBe(true);
        expect(s.version).toBe(1);
        const old = await sendToRoot(f, changeOwnerBody(f.owner.address));
        expect(old.transactions).toHaveTransaction({ to: f.root.address, exitCode: ExitCode.ExpectedMessageFromOwner });
    });

    it('change_owner by a non-owner fails with 1010', async () => {
        const r = await sendToRoot(f, changeOwnerBody(f.stranger.address), toNano('0.1'), f.stranger);
        expect(r.transactions).toHaveTransaction({ to: f.root.address, exitCode: ExitCode.ExpectedMessageFromOwner });
    });

    it('unknown op: 1012 from the owner, 1010 from anyone else', async () => {
        const body = beginCell().storeUint(0x12345678, 32).storeUint(0, 64).endCell();
        const r = await sendToRoot(f, body);
        expect(r.transactions).toHaveTransaction({ to: f.root.address, exitCode: ExitCode.UnknownOp });
        const r2 = await sendToRoot(f, body, toNano('0.1'), f.stranger);
        expect(r2.transactions).toHaveTransaction({ to: f.root.address, exitCode: ExitCode.ExpectedMessageFromOwner });
    });

    it('missing query_id, trailing data and text comments fail with 9 as in COCOON', async () => {
        const bodies: Cell[] = [
            beginCell().storeUint(0xe34b1c60, 32).storeUint(0, 32).endCell(),
            beginCell().store((b) => b.storeSlice(addHashBody('worker', 1n).beginParse())).storeUint(0, 1).endCell(),
            beginCell().store((b) => b.storeSlice(changeOwnerBody(f.stranger.address).beginParse())).storeUint(1, 8).endCell(),
            beginCell().storeUint(0, 32).storeStringTail('x').endCell(),
        ];
        for (const body of bodies) {
            const r = await sendToRoot(f, body);
            expect(r.transactions).toHaveTransaction({ to: f.root.address, exitCode: ExitCode.CellUnderflow });
        }
        expect((await rootState(f)).version).toBe(0);
    });

    it('accepts do_not_process with a query_id from the owner and from anyone, without output', async () => {
        const body = beginCell().storeUint(0x9a1247c0, 32).storeUint(0x53109c0f, 32).storeUint(1, 32).storeUint(7, 256).endCell();
        for (const from of [f.owner, f.stranger]) {
            const r = await sendToRoot(f, body, toNano('0.05'), from);
            expect(r.transactions).toHaveTransaction({ to: f.root.address, success: true, outMessagesCount: 0 });
        }
        expect((await rootState(f)).version).toBe(0);
    });

    it('ignores bounced messages', async () => {
        const body = addHashBody('worker', 1n);
        const r = await f.blockchain.sendMessage({
            info: {
                type: 'internal', ihrDisabled: true, bounce: false, bounced: true,
                src: f.owner.address, dest: f.root.address, value: { coins: toNano('0.1') },
                ihrFee: 0n, forwardFee: 0n, createdLt: 0n, createdAt: 0,
            },
            body,
        });
        expect(r.transactions).toHaveTransaction({ to: f.root.address, success: true, outMessagesCount: 0 });
        expect((await rootState(f)).version).toBe(0);
    });

    it('keeps 0.01 TON when its balance fell below the floor (COCOON\'s reserve)', async () => {
        (await f.blockchain.getContract(f.root.address)).balance = toNano('0.004');
        await sendToRoot(f, addHashBody('model', 1n));
        expect((await f.blockchain.getContract(f.root.address)).balance).toBe(toNano('0.01'));
    });

    it('pays its storage debt out of the incoming value before returning the excess', async () => {
        const c = await f.blockchain.getContract(f.root.address);
        c.balance = 0n;
        f.blockchain.now = Math.floor(Date.now() / 1000) + 3 * 365 * 24 * 3600;
        const r = await sendToRoot(f, addHashBody('model', 1n));
        expect(r.transactions).toHaveTransaction({ to: f.root.address, success: true });
        const tx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === f.root.address.toString())!;
        const due = tx.description.type === 'generic' ? tx.description.storagePhase?.storageFeesDue ?? 0n : 0n;
        expect(due).toBeGreaterThan(toNano('0.01'));
        expect((await f.blockchain.getContract(f.root.address)).balance).toBe(due);
    });

    it('params keep their root-variant layout through every change', async () => {
        const cell = await f.root.getGetParamsCell();
        expect(cell.equals(paramsCell(defaultParams(), 'root'))).toBe(true);
    });
});
