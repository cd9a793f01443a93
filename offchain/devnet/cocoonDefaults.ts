import { Cell, toNano } from '@ton/core';
import { compiledCode } from '../../wrappers/compiled';
import { CocoonParams, MULTIPLIER_ONE, PARAMS_STRUCT_VERSION } from '../../wrappers/params';

/**
 * Params for a local network: price 0.001 TON per token, worker fee 0.0001 TON, multipliers ×1, short close
 * delays (60 s proxy, 30 s client) so closing can be watched, 1 TON stakes, the codes from build/.
 */
export function devnetParams(overrides: Partial<CocoonParams> = {}): CocoonParams {
    return {
        structVersion: PARAMS_STRUCT_VERSION,
        paramsVersion: 1,
        uniqueId: 42,
        isTest: true,
        pricePerToken: toNano('0.001'),
        workerFeePerToken: toNano('0.0001'),
        promptTokensPriceMultiplier: MULTIPLIER_ONE,
        cachedTokensPriceMultiplier: MULTIPLIER_ONE,
        completionTokensPriceMultiplier: MULTIPLIER_ONE,
        reasoningTokensPriceMultiplier: MULTIPLIER_ONE,
        proxyDelayBeforeClose: 60,
        clientDelayBeforeClose: 30,
        minProxyStake: toNano('1'),
        minClientStake: toNano('1'),
        proxyScCode: compiledCode('CocoonProxy'),
        workerScCode: compiledCode('CocoonWorker'),
        clientScCode: compiledCode('CocoonClient'),
        ...overrides,
    };
}
