import type { CocoonParams } from '../../wrappers/params';
import type { AdjustedTokens, Usage } from './messages';

/** What a request costs, from the root params (price, worker fee, the four multipliers in 1/10000). */
export interface Prices {
    pricePerToken: bigint;
    workerFeePerToken: bigint;
    promptMultiplier: number;
    cachedMultiplier: number;
    completionMultiplier: number;
    reasoningMultiplier: number;
}

/** Coefficient 1000 = ×1.0; multiplier 10000 = ×1.0. */
export const COEFFICIENT_ONE = 1000;
export const MULTIPLIER_ONE = 10000;

export function pricesOf(params: CocoonParams): Prices {
    return {
        pricePerToken: params.pricePerToken,
        workerFeePerToken: params.workerFeePerToken,
        promptMultiplier: params.promptTokensPriceMultiplier,
        cachedMultiplier: params.cachedTokensPriceMultiplier,
        completionMultiplier: params.completionTokensPriceMultiplier,
        reasoningMultiplier: params.reasoningTokensPriceMultiplier,
    };
}

/**
 * floor(n × coefficient/1000 × multiplier/10000) in exact integers (COCOON evaluates the same in doubles, which
 * can be one token off for large counts).
 */
export function adjust(n: number, coefficient: number, multiplier: number): number {
    if (n <= 0) return 0;
    return Number((BigInt(n) * BigInt(coefficient) * BigInt(multiplier)) / BigInt(COEFFICIENT_ONE * MULTIPLIER_ONE));
}

/**
 * Paid tokens of one request: prompt without cached, cached, completion without reasoning, reasoning, each
 * adjusted by the coefficient and its class multiplier (COCOON's formula, ref §3.1).
 */
export function adjustUsage(usage: Usage, coefficient: number, prices: Prices): AdjustedTokens {
    const cached = Math.min(usage.cachedTokens, usage.promptTokens);
    const reasoning = Math.min(usage.reasoningTokens, usage.completionTokens);
    const t = {
        prompt: adjust(usage.promptTokens - cached, coefficient, prices.promptMultiplier),
        cached: adjust(cached, coefficient, prices.cachedMultiplier),
        completion: adjust(usage.completionTokens - reasoning, coefficient, prices.completionMultiplier),
        reasoning: adjust(reasoning, coefficient, prices.reasoningMultiplier),
    };
    return { ...t, total: t.prompt + t.cached + t.completion + t.reasoning };
}

/**
 * Adjusted tokens held for a request until it ends: its completion allowance plus its body length in bytes (a
 * bound on its prompt tokens), at the highest coefficient the client accepts and the dearest multiplier.
 */
export function reservationTokens(maxTokens: number, bodyBytes: number, maxCoefficient: number, prices: Prices): number {
    const dearest = Math.max(prices.promptMultiplier, prices.cachedMultiplier, prices.completionMultiplier, prices.reasoningMultiplier);
    return adjust(maxTokens + bodyBytes, maxCoefficient, dearest);
}

export const emptyUsage = (): Usage => ({ promptTokens: 0, cachedTokens: 0, completionTokens: 0, reasoningTokens: 0 });

/** nanoTON a client pays for `tokens` adjusted tokens. */
export const costOf = (tokens: bigint | number, prices: Prices): bigint => BigInt(tokens) * prices.pricePerToken;
