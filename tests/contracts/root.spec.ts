import '@ton/test-utils';
import { beginCell, Cell, toNano, Transaction } from '@ton/core';
import { ExitCode } from '../../wrappers/exitCodes';
import { CocoonParams, paramsCell } from '../../wrappers/params';
import {
    addHashBody,
    changeAllParamsBody,
    changeOwnerBody,
    changeParamsBody,
    changePriceBody,
    delHashBody,
    HashKind,
    modelHash,
    registerProxyBody,
    registryCell,
    unregisterProxyBody,
    updateProxyBody,
    upgradeContractsBody,
} from '../../wrappers/root';
import { defaultParams, deployRoot, FAKE_CODES, RootFixture, rootState, sendToRoot } from '../helpers/rootFixture';

const EXCESSES = 0x2565934c;
const H1 = BigInt('0x' + '11'.repeat(32));
const H2 = BigInt('0x' + 'fe'.repeat(32));

function excessBody(queryId: bigint): Cell {
    return beginCell().storeUint(EXCESSES, 32).storeUint(queryId, 64).endCell();
}

/** Incoming value less the root's gas and forward fees: what a successful op must return. */
function expectedExcess(tx: Transaction, value: bigint): bigint {
    const d = tx.description;
    if (d.type !== 'generic' || d.computePhase.type !== 'vm' || !d.actionPhase) throw new Error('not a vm tx');
    return value - d.computePhase.gasFees - (d.actionPhase.totalFwdFees ?? 0n);
}

/** Params compared through their root-variant cell (Cell objects do not compare structurally). */
function sameParams(actual: CocoonParams, expected: CocoonParams): void {
    expect(paramsCell(actual, 'root').toBoc().toString('hex')).toBe(paramsCell(expected, 'root').toBoc().toString('hex'));
    expect({ ...actual, proxyScCode: 0, workerScCode: 0, clientScCode: 0 }).toEqual({
        ...expected,
        proxyScCode: 0,
        workerScCode: 0,
        clientScCode: 0,
    });
}

function storageFee(tx: Transaction): bigint {
    return tx.description.type === 'generic' ? (tx.description.storagePhase?.storageFeesCollected ?? 0n) : 0n;
}

async function balance(f: RootFixture): Promise<bigint> {
    return (await f.blockchain.getContract(f.root.address)).balance;
}

describe('CocoonRoot', () => {
    let f: RootFixture;

    beforeEach(async () => {
        f = await deployRoot();
    });

    describe('deployment and getters', () => {
        it('stores owner, version 0, an empty registry and the params in COCOON layout', async () => {
            const s = await rootState(f);
            expect(s.owner.equals(f.owner.address)).toBe(true);
            expect(s.version).toBe(0);
            expect(s.registry).toEqual({
                proxyHashes: [],
                registeredProxies: new Map(),
                lastProxySeqno: 0,
                workerHashes: [],
                modelHashes: [],
            });
            sameParams(s.params, defaultParams());
        });

        it('get_cocoon_data returns COCOON\'s ten values', async () => {
            const d = await f.root.getGetCocoonData();
            const p = defaultParams();
            expect({ ...d, owner: d.owner.toString() }).toEqual({
                $$type: 'CocoonData',
                version: 0n,
                lastProxySeqno: 0n,
                paramsVersion: 1n,
                uniqueId: 17n,
                isTest: 1n,
                pricePerToken: p.pricePerToken,
                workerFeePerToken: p.workerFeePerToken,
                minProxyStake: p.minProxyStake,
                minClientStake: p.minClientStake,
                owner: f.owner.address.toString(),
            });
        });

        it('get_cur_params exposes every param including all four multipliers (fix 5)', async () => {
            const c = await f.root.getGetCurParams();
            expect(c).toEqual({
                $$type: 'CurParams',
                paramsVersion: 1n,
                uniqueId: 17n,
                isTest: 1n,
                pricePerToken: toNano('0.001'),
                workerFeePerToken: toNano('0.0001'),
                cachedTokensPriceMultiplier: 12000n,
                reasoningTokensPriceMultiplier: 14000n,
                proxyDelayBeforeClose: 3600n,
                clientDelayBeforeClose: 3600n,
                minProxyStake: toNano('1'),
                minClientStake: toNano('1'),
                proxyScCodeHash: BigInt('0x' + FAKE_CODES.proxy.hash().toString('hex')),
                workerScCodeHash: BigInt('0x' + FAKE_CODES.worker.hash().toString('hex')),
                clientScCodeHash: BigInt('0x' + FAKE_CODES.client.hash().toString('hex')),
                promptTokensPriceMultiplier: 11000n,
                completionTokensPriceMultiplier: 13000n,
            });
            expect((await f.root.getGetParamsCell()).equals(paramsCell(defaultParams(), 'root'))).toBe(true);
        });

        it('answers get methods by COCOON\'s names with COCOON\'s stacks (then the two extra multipliers)', async () => {
            const provider = f.blockchain.provider(f.root.address);
            await sendToRoot(f, addHashBody('worker', H1));
            expect((await provider.get('last_proxy_seqno', [])).stack.readNumber()).toBe(0);
            expect((await provider.get('worker_hash_is_valid', [{ type: 'int', value: H1 }])).stack.readNumber()).toBe(-1);
            expect((await provider.get('model_hash_is_valid', [{ type: 'int', value: H1 }])).stack.readNumber()).toBe(0);
            const data = (await provider.get('get_cocoon_data', [])).stack;
            expect(data.remaining).toBe(10);
            expect([1, 0, 1, 17, 1].map(() => data.readNumber())).toEqual([1, 0, 1, 17, 1]);
            [0, 1, 2, 3].forEach(() => data.readBigNumber());
            expect(data.readAddress().equals(f.owner.address)).toBe(true);
            const cur = (await provider.get('get_cur_params', [])).stack;
            expect(cur.remaining).toBe(16);
            const values = Array.from({ length: 16 }, () => cur.readBigNumber());
            expect(values.slice(0, 11)).toEqual([1n, 17n, 1n, toNano('0.001'), toNano('0.0001'), 12000n, 14000n, 3600n, 3600n, toNano('1'), toNano('1')]);
            expect(values.slice(14)).toEqual([11000n, 13000n]);
        });

        it('accepts an empty body and do_not_process (32 bits only) from anyone without any output', async () => {
            const r1 = await f.stranger.send({ to: f.root.address, value: toNano('0.05') });
            expect(r1.transactions).toHaveTransaction({ to: f.root.address, success: true, outMessagesCount: 0 });
            const r2 = await sendToRoot(f, beginCell().storeUint(0x9a1247c0, 32).endCell(), toNano('0.05'), f.stranger);
            expect(r2.transactions).toHaveTransaction({ to: f.root.address, success: true, outMessagesCount: 0 });
            expect((await rootState(f)).version).toBe(0);
        });
    });

    describe.each<[HashKind, (r: RootFixture, h: bigint) => Promise<boolean>]>([
        ['worker', (r, h) => r.root.getWorkerHashIsValid(h)],
        ['model', (r, h) => r.root.getModelHashIsValid(h)],
        ['proxy', (r, h) => r.root.getProxyHashIsValid(h)],
    ])('%s hashes', (kind, isValid) => {
        it('add: hash valid, version + 1, exact excess to the owner, root balance unchanged', async () => {
            expect(await isValid(f, H1)).toBe(false);
            const before = await balance(f);
            const r = await sendToRoot(f, addHashBody(kind, H1, 77n));
            const tx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === f.root.address.toString())!;
            expect(r.transactions).toHaveTransaction({
                from: f.root.address,
                to: f.owner.address,
                op: EXCESSES,
                body: excessBody(77n),
                value: expectedExcess(tx, toNano('0.1')),
                inMessageBounceable: false,
            });
            expect(await isValid(f, H1)).toBe(true);
            expect(await isValid(f, H2)).toBe(false);
            expect(await balance(f)).toBe(before - storageFee(tx));
            const s = await rootState(f);
            expect(s.version).toBe(1);
            expect(s.registry[`${kind}Hashes`]).toEqual([H1]);
        });

        it('delete: hash invalid again; deleting an absent hash still succeeds and bumps version', async () => {
            await sendToRoot(f, addHashBody(kind, H1));
            await sendToRoot(f, addHashBody(kind, H2));
            const r = await sendToRoot(f, delHashBody(kind, H1, 5n));
            expect(r.transactions).toHaveTransaction({ from: f.root.address, to: f.owner.address, body: excessBody(5n) });
            expect(await isValid(f, H1)).toBe(false);
            expect(await isValid(f, H2)).toBe(true);
            const r2 = await sendToRoot(f, delHashBody(kind, H1));
            expect(r2.transactions).toHaveTransaction({ to: f.root.address, success: true });
            expect((await rootState(f)).version).toBe(4);
        });

        it('add and delete by a non-owner fail with 1010', async () => {
            const r = await sendToRoot(f, addHashBody(kind, H1), toNano('0.1'), f.stranger);
            expect(r.transactions).toHaveTransaction({
                to: f.root.address,
                success: false,
                exitCode: ExitCode.ExpectedMessageFromOwner,
            });
            await sendToRoot(f, addHashBody(kind, H1));
            const r2 = await sendToRoot(f, delHashBody(kind, H1), toNano('0.1'), f.stranger);
            expect(r2.transactions).toHaveTransaction({ to: f.root.address, exitCode: ExitCode.ExpectedMessageFromOwner });
            expect(await isValid(f, H1)).toBe(true);
        });
    });

    it('model hashes are sha256 of the model name', async () => {
        await sendToRoot(f, addHashBody('model', modelHash('Qwen/Qwen3-32B')));
        expect(await f.root.getModelHashIsValid(BigInt('0x' + require('crypto').createHash('sha256').update('Qwen/Qwen3-32B').digest('hex')))).toBe(true);
    });

    describe('parameters', () => {
        it('change_price sets both prices and bumps version and params_version', async () => {
            const r = await sendToRoot(f, changePriceBody(5n, 4n, 9n));
            expect(r.transactions).toHaveTransaction({ from: f.root.address, to: f.owner.address, body: excessBody(9n) });
            const s = await rootState(f);
            expect(s.version).toBe(1);
            sameParams(s.params, { ...defaultParams(), paramsVersion: 2, pricePerToken: 5n, workerFeePerToken: 4n });
        });

        it('change_params sets prices, delays and stakes and keeps multipliers and codes', async () => {
            const fields = {
                pricePerToken: 30n,
                workerFeePerToken: 20n,
                proxyDelayBeforeClose: 7200,
                clientDelayBeforeClose: 1800,
                minProxyStake: toNano('5'),
                minClientStake: toNano('2'),
            };
            await sendToRoot(f, changeParamsBody(fields));
            const s = await rootState(f);
            expect(s.version).toBe(1);
            sameParams(s.params, { ...defaultParams(), ...fields, paramsVersion: 2 });
        });

        it('change_all_params (fix 4; COCOON answers 1012) sets every governable scalar in one step', async () => {
            const fields = {
                pricePerToken: 31n,
                workerFeePerToken: 21n,
                promptTokensPriceMultiplier: 10000,
                cachedTokensPriceMultiplier: 2500,
                completionTokensPriceMultiplier: 40000,
                reasoningTokensPriceMultiplier: 45000,
                proxyDelayBeforeClose: 100,
                clientDelayBeforeClose: 50,
                minProxyStake: toNano('10'),
                minClientStake: toNano('0.5'),
            };
            const r = await sendToRoot(f, changeAllParamsBody(fields, 3n));
            expect(r.transactions).toHaveTransaction({ to: f.root.address, success: true });
            expect(r.transactions).toHaveTransaction({ from: f.root.address, to: f.owner.address, body: excessBody(3n) });
            const s = await rootState(f);
            expect(s.version).toBe(1);
            sameParams(s.params, { ...defaultParams(), ...fields, paramsVersion: 2 });
            const c = await f.root.getGetCurParams();
            expect([c.promptTokensPriceMultiplier, c.completionTokensPriceMultiplier]).toEqual([10000n, 40000n]);
        });

        it('upgrade_contracts replaces the three codes and bumps params_version', async () => {
            const codes = {
                proxy: beginCell().storeUint(1, 16).endCell(),
                worker: beginCell().storeUint(2, 16).endCell(),
                client: beginCell().storeUint(3, 16).endCell(),
            };
            await sendToRoot(f, upgradeContractsBody(codes));
            const s = await rootState(f);
            sameParams(s.params, {
                ...defaultParams(),
                paramsVersion: 2,
                proxyScCode: codes.proxy,
                workerScCode: codes.worker,
                clientScCode: codes.client,
            });
            expect(s.version).toBe(1);
        });

        it.each([
            ['change_price', changePriceBody(1n, 1n)],
            ['change_params', changeParamsBody({ pricePerToken: 1n, workerFeePerToken: 1n, proxyDelayBeforeClose: 1, clientDelayBeforeClose: 1, minProxyStake: 1n, minClientStake: 1n })],
            ['upgrade_contracts', upgradeContractsBody(FAKE_CODES)],
        ])('%s by a non-owner fails with 1010', async (_, body) => {
            const r = await sendToRoot(f, body, toNano('0.1'), f.stranger);
            expect(r.transactions).toHaveTransaction({ to: f.root.address, exitCode: ExitCode.ExpectedMessageFromOwner });
            sameParams((await rootState(f)).params, defaultParams());
        });

        it('refuses params of another struct version with 1008', async () => {
            const bad = (await deployRoot({ ...defaultParams(), structVersion: 2 }));
            const r = await sendToRoot(bad, changePriceBody(1n, 1n));
            expect(r.transactions).toHaveTransaction({ to: bad.root.address, exitCode: ExitCode.StoredDataDamaged });
        });
    });

    describe('registered proxies', () => {
        it('register assigns seqnos 1, 2, 3 and stores the descriptor bits', async () => {
            await sendToRoot(f, registerProxyBody('10.0.0.1:8080'));
            await sendToRoot(f, registerProxyBody('10.0.0.2:8080 10.0.0.2:9090'));
            const r = await sendToRoot(f, registerProxyBody('10.0.0.3:1', 4n));
            expect(r.transactions).toHaveTransaction({ from: f.root.address, to: f.owner.address, body: excessBody(4n) });
            expect(await f.root.getLastProxySeqno()).toBe(3n);
            const s = await rootState(f);
            expect(s.version).toBe(3);
            expect([...s.registry.registeredProxies.entries()]).toEqual([
                [1, { type: 0, text: '10.0.0.1:8080' }],
                [2, { type: 0, text: '10.0.0.2:8080 10.0.0.2:9090' }],
                [3, { type: 0, text: '10.0.0.3:1' }],
            ]);
        });

        it('update replaces an existing descriptor; a missing seqno fails with 2000', async () => {
            await sendToRoot(f, registerProxyBody('10.0.0.1:8080'));
            await sendToRoot(f, updateProxyBody(1, '10.9.9.9:7000'));
            expect((await rootState(f)).registry.registeredProxies.get(1)).toEqual({ type: 0, text: '10.9.9.9:7000' });
            const r = await sendToRoot(f, updateProxyBody(2, '10.9.9.9:7000'));
            expect(r.transactions).toHaveTransaction({ to: f.root.address, exitCode: ExitCode.UnknownProxyType });
            expect((await rootState(f)).version).toBe(2);
        });

        it('unregister deletes; an absent seqno still succeeds and bumps version', async () => {
            await sendToRoot(f, registerProxyBody('10.0.0.1:8080'));
            await sendToRoot(f, unregisterProxyBody(1));
            await sendToRoot(f, unregisterProxyBody(42));
            const s = await rootState(f);
            expect(s.registry.registeredProxies.size).toBe(0);
            expect(s.registry.lastProxySeqno).toBe(1);
            expect(s.version).toBe(3);
        });

        it('register, update and unregister by a non-owner fail with 1010', async () => {
            await sendToRoot(f, registerProxyBody('10.0.0.1:8080'));
            for (const body of [registerProxyBody('1.1.1.1:1'), updateProxyBody(1, '1.1.1.1:1'), unregisterProxyBody(1)]) {
                const r = await sendToRoot(f, body, toNano('0.1'), f.stranger);
                expect(r.transactions).toHaveTransaction({ to: f.root.address, exitCode: ExitCode.ExpectedMessageFromOwner });
            }
            expect((await rootState(f)).registry.registeredProxies.get(1)).toEqual({ type: 0, text: '10.0.0.1:8080' });
        });

        const raw = (op: number, build: (b: ReturnType<typeof beginCell>) => void) => {
            const b = beginCell().storeUint(op, 32).storeUint(0, 64);
            build(b);
            return b.endCell();
        };

        it('a descriptor of type 1 fails with 1004', async () => {
            const r = await sendToRoot(f, raw(0x927c7cb5, (b) => b.storeUint(1, 1).storeUint(3, 7).storeBuffer(Buffer.from('a:1'))));
            expect(r.transactions).toHaveTransaction({ to: f.root.address, exitCode: ExitCode.MsgFormatMismatch });
        });

        it('a descriptor whose length does not match its bytes fails with 9', async () => {
            const short = raw(0x927c7cb5, (b) => b.storeUint(0, 1).storeUint(5, 7).storeBuffer(Buffer.from('a:1')));
            const long = raw(0x927c7cb5, (b) => b.storeUint(0, 1).storeUint(2, 7).storeBuffer(Buffer.from('a:1')));
            const snake = raw(0x927c7cb5, (b) =>
                b.storeUint(0, 1).storeUint(3, 7).storeBuffer(Buffer.from('a:1')).storeRef(beginCell().endCell()),
            );
            for (const body of [short, long, snake]) {
                const r = await sendToRoot(f, body);
                expect(r.transactions).toHaveTransaction({ to: f.root.address, exitCode: ExitCode.CellUnderflow });
            }
            expect((await rootState(f)).registry.lastProxySeqno).toBe(0);
        });

        it('accepts the longest descriptors that fit one cell: 114 bytes to register, 110 to update', async () => {
            const t114 = 'h'.repeat(112) + ':1';
            const t110 = 'h'.repeat(108) + ':1';
            expect(registerProxyBody(t114).bits.length).toBe(1016);
            expect(updateProxyBody(1, t110).bits.length).toBe(1016);
            await sendToRoot(f, registerProxyBody(t114));
            await sendToRoot(f, updateProxyBody(1, t110));
            expect((await rootState(f)).registry.registeredProxies.get(1)).toEqual({ type: 0, text: t110 });
            expect(() => registerProxyBody('h'.repeat(113) + ':1')).toThrow('at most 114 fit');
            expect(() => updateProxyBody(1, t114)).toThrow('at most 110 fit');
        });
    });

    it('runs a multi-step sequence: add type → register → update → unregister → delete type', async () => {
        const steps = [
            addHashBody('proxy', H1),
            registerProxyBody('10.1.1.1:1000'),
            updateProxyBody(1, '10.1.1.1:1000 10.1.1.1:2000'),
            unregisterProxyBody(1),
            delHashBody('proxy', H1),
        ];
        const versions: number[] = [];
        for (const body of steps) {
            const r = await sendToRoot(f, body);
            expect(r.transactions).toHaveTransaction({ to: f.root.address, success: true, outMessagesCount: 1 });
            versions.push((await rootState(f)).version);
        }
        expect(versions).toEqual([1, 2, 3, 4, 5]);
        const s = await rootState(f);
        expect([s.registry.proxyHashes, s.registry.registeredProxies.size, s.registry.lastProxySeqno]).toEqual([[], 0, 1]);
        expect(await f.root.getProxyHashIsValid(H1)).toBe(false);
    });

    it('adding a worker or model hash or registering a proxy keeps every other field of the registry', async () => {
        await sendToRoot(f, addHashBody('proxy', H1));
        await sendToRoot(f, registerProxyBody('1.2.3.4:5'));
        await sendToRoot(f, addHashBody('model', H1));
        await sendToRoot(f, addHashBody('worker', H2));
        await sendToRoot(f, addHashBody('worker', H1));
        await sendToRoot(f, addHashBody('model', H2));
        await sendToRoot(f, registerProxyBody('5.6.7.8:9'));
        const r = (await rootState(f)).registry;
        expect([r.proxyHashes, [...r.registeredProxies.keys()], r.lastProxySeqno]).toEqual([[H1], [1, 2], 2]);
        const sorted = (hashes: bigint[]) => [...hashes].sort((a, b) => (a < b ? -1 : 1));
        expect([sorted(r.workerHashes), sorted(r.modelHashes)]).toEqual([
            [H1, H2],
            [H1, H2],
        ]);
        expect((await f.root.getGetRegistry()).equals(registryCell(r))).toBe(true);
    });

    it('registry cell is bit-exact with COCOON\'s layout (proxy hashes, proxies, seqno, worker, model)', async () => {
        await sendToRoot(f, addHashBody('proxy', H1));
        await sendToRoot(f, registerProxyBody('1.2.3.4:5'));
        await sendToRoot(f, addHashBody('worker', H2));
        await sendToRoot(f, addHashBody('model', H1));
        const cell = await f.root.getGetRegistry();
        const s = cell.beginParse();
        expect([s.loadBit(), s.loadBit(), s.loadUint(32), s.loadBit(), s.loadBit(), s.remainingBits]).toEqual([
            true, true, 1, true, true, 0,
        ]);
        expect(cell.equals(registryCell((await rootState(f)).registry))).toBe(true);
    });
});
