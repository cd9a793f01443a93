import { beginCell, Cell } from '@ton/core';

/** COCOON's network parameters (struct version 3), as stored in the root and copied into every contract. */
export interface CocoonParams {
    structVersion: number;
    paramsVersion: number;
    uniqueId: number;
    isTest: boolean;
    pricePerToken: bigint;
    workerFeePerToken: bigint;
    promptTokensPriceMultiplier: number;
    cachedTokensPriceMultiplier: number;
    completionTokensPriceMultiplier: number;
    reasoningTokensPriceMultiplier: number;
    proxyDelayBeforeClose: number;
    clientDelayBeforeClose: number;
    minProxyStake: bigint;
    minClientStake: bigint;
    proxyScCode: Cell | null;
    workerScCode: Cell | null;
    clientScCode: Cell | null;
}

export const PARAMS_STRUCT_VERSION = 3;

/** 10000 = ×1.0 for the four token-class multipliers. */
export const MULTIPLIER_ONE = 10000;

/**
 * The three forms of the params cell (COCOON's `serialize_params_cell(mask)`):
 * `root` carries all three codes, `proxy` the worker and client codes, `withoutCode` none.
 */
export type ParamsVariant = 'root' | 'proxy' | 'withoutCode';

export class ParamsFormatError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ParamsFormatError';
    }
}

export function paramsCell(params: CocoonParams, variant: ParamsVariant = 'root'): Cell {
    const proxyCode = variant === 'root' ? params.proxyScCode : null;
    const otherCode = (code: Cell | null) => (variant === 'withoutCode' ? null : code);
    return beginCell()
        .storeUint(params.structVersion, 8)
        .storeUint(params.paramsVersion, 32)
        .storeUint(params.uniqueId, 32)
        .storeBit(params.isTest)
        .storeCoins(params.pricePerToken)
        .storeCoins(params.workerFeePerToken)
        .storeUint(params.promptTokensPriceMultiplier, 32)
        .storeUint(params.cachedTokensPriceMultiplier, 32)
        .storeUint(params.completionTokensPriceMultiplier, 32)
        .storeUint(params.reasoningTokensPriceMultiplier, 32)
        .storeUint(params.proxyDelayBeforeClose, 32)
        .storeUint(params.clientDelayBeforeClose, 32)
        .storeCoins(params.minProxyStake)
        .storeCoins(params.minClientStake)
        .storeMaybeRef(proxyCode)
        .storeMaybeRef(otherCode(params.workerScCode))
        .storeMaybeRef(otherCode(params.clientScCode))
        .endCell();
}

/** Parses any of the three variants; throws `ParamsFormatError` on another struct version or trailing data. */
export function parseParams(cell: Cell): CocoonParams {
    const s = cell.beginParse();
    const structVersion = s.loadUint(8);
    if (structVersion !== PARAMS_STRUCT_VERSION) {
        throw new ParamsFormatError(`params struct version is ${structVersion}, expected ${PARAMS_STRUCT_VERSION}`);
    }
    const params: CocoonParams = {
        structVersion,
        paramsVersion: s.loadUint(32),
        uniqueId: s.loadUint(32),
        isTest: s.loadBit(),
        pricePerToken: s.loadCoins(),
        workerFeePerToken: s.loadCoins(),
        promptTokensPriceMultiplier: s.loadUint(32),
        cachedTokensPriceMultiplier: s.loadUint(32),
        completionTokensPriceMultiplier: s.loadUint(32),
        reasoningTokensPriceMultiplier: s.loadUint(32),
        proxyDelayBeforeClose: s.loadUint(32),
        clientDelayBeforeClose: s.loadUint(32),
        minProxyStake: s.loadCoins(),
        minClientStake: s.loadCoins(),
        proxyScCode: s.loadMaybeRef(),
        workerScCode: s.loadMaybeRef(),
        clientScCode: s.loadMaybeRef(),
    };
    if (s.remainingBits !== 0 || s.remainingRefs !== 0) {
        throw new ParamsFormatError(`params cell has ${s.remainingBits} trailing bits and ${s.remainingRefs} refs`);
    }
    return params;
}
