import { beginCell, Cell } from '@ton/core';
import { CocoonParams, paramsCell, ParamsFormatError, parseParams } from '../../wrappers/params';

const code = (n: number) => beginCell().storeUint(n, 8).endCell();

const params: CocoonParams = {
    structVersion: 3,
    paramsVersion: 7,
    uniqueId: 17,
    isTest: true,
    pricePerToken: 1_000_000n,
    workerFeePerToken: 100_000n,
    promptTokensPriceMultiplier: 11000,
    cachedTokensPriceMultiplier: 12000,
    completionTokensPriceMultiplier: 13000,
    reasoningTokensPriceMultiplier: 14000,
    proxyDelayBeforeClose: 3600,
    clientDelayBeforeClose: 1800,
    minProxyStake: 2_000_000_000n,
    minClientStake: 1_000_000_000n,
    proxyScCode: code(1),
    workerScCode: code(2),
    clientScCode: code(3),
};

describe('params cell', () => {
    it('keeps the codes each variant is meant to carry', () => {
        const refs = (c: Cell) => c.refs.map((r) => r.beginParse().loadUint(8));
        expect(refs(paramsCell(params, 'root'))).toEqual([1, 2, 3]);
        expect(refs(paramsCell(params, 'proxy'))).toEqual([2, 3]);
        expect(refs(paramsCell(params, 'withoutCode'))).toEqual([]);
    });

    it('lays out the scalar fields in COCOON order and widths', () => {
        // 8+32+32+1 + coins(4+24)+coins(4+24) + 6×32 + coins(4+32)+coins(4+32) + 3 maybe bits
        const cell = paramsCell(params, 'withoutCode');
        expect(cell.bits.length).toBe(73 + 28 + 28 + 192 + 36 + 36 + 3);
        const s = cell.beginParse();
        expect([s.loadUint(8), s.loadUint(32), s.loadUint(32), s.loadBit()]).toEqual([3, 7, 17, true]);
        expect([s.loadCoins(), s.loadCoins()]).toEqual([1_000_000n, 100_000n]);
        expect([1, 2, 3, 4, 5, 6].map(() => s.loadUint(32))).toEqual([11000, 12000, 13000, 14000, 3600, 1800]);
    });

    it('fits one cell with the widest coins values', () => {
        const max = (1n << 120n) - 1n;
        const wide = { ...params, pricePerToken: max, workerFeePerToken: max, minProxyStake: max, minClientStake: max };
        expect(paramsCell(wide).bits.length).toBe(764);
        expect(parseParams(paramsCell(wide))).toEqual(wide);
    });

    it('round-trips every variant', () => {
        expect(parseParams(paramsCell(params, 'root'))).toEqual(params);
        expect(parseParams(paramsCell(params, 'proxy'))).toEqual({ ...params, proxyScCode: null });
        expect(parseParams(paramsCell(params, 'withoutCode'))).toEqual({
            ...params,
            proxyScCode: null,
            workerScCode: null,
            clientScCode: null,
        });
    });

    it('rejects another struct version and trailing data by name', () => {
        expect(() => parseParams(paramsCell({ ...params, structVersion: 2 }))).toThrow(
            new ParamsFormatError('params struct version is 2, expected 3'),
        );
        const trailing = beginCell().storeSlice(paramsCell(params, 'withoutCode').beginParse()).storeUint(1, 1).endCell();
        expect(() => parseParams(trailing)).toThrow('params cell has 1 trailing bits and 0 refs');
    });
});
