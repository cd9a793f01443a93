import { adjust, adjustUsage, costOf, reservationTokens, type Prices } from '../../offchain/protocol';

const prices = (over: Partial<Prices> = {}): Prices => ({
    pricePerToken: 1000n,
    workerFeePerToken: 800n,
    promptMultiplier: 10000,
    cachedMultiplier: 10000,
    completionMultiplier: 10000,
    reasoningMultiplier: 10000,
    ...over,
});

describe('pricing', () => {
    it('adjusts a count by coefficient/1000 and multiplier/10000, rounding down', () => {
        expect(adjust(100, 1000, 10000)).toBe(100);
        expect(adjust(100, 1500, 10000)).toBe(150);
        expect(adjust(7, 1500, 10000)).toBe(10); // 10.5
        expect(adjust(3, 1000, 5000)).toBe(1); // 1.5
        expect(adjust(0, 4000, 10000)).toBe(0);
        expect(adjust(-5, 1000, 10000)).toBe(0);
    });

    it('is exact where doubles are not: 2^52 + 1 tokens at ×1', () => {
        const n = 2 ** 52 + 1;
        expect(adjust(n, 1000, 10000)).toBe(n);
        expect(adjust(9_007_199_254_740, 1001, 10000)).toBe(9_016_206_453_994);
    });

    it('prices prompt without cached, cached, completion without reasoning and reasoning by their multipliers', () => {
        const usage = { promptTokens: 100, cachedTokens: 40, completionTokens: 50, reasoningTokens: 20 };
        const t = adjustUsage(usage, 2000, prices({ promptMultiplier: 10000, cachedMultiplier: 2500, completionMultiplier: 20000, reasoningMultiplier: 5000 }));
        // prompt (100−40)×2×1 = 120; cached 40×2×0.25 = 20; completion (50−20)×2×2 = 120; reasoning 20×2×0.5 = 20
        expect(t).toEqual({ prompt: 120, cached: 20, completion: 120, reasoning: 20, total: 280 });
        expect(costOf(t.total, prices())).toBe(280_000n);
    });

    it('never counts more cached than prompt or more reasoning than completion tokens', () => {
        const t = adjustUsage({ promptTokens: 5, cachedTokens: 9, completionTokens: 3, reasoningTokens: 7 }, 1000, prices());
        expect(t).toEqual({ prompt: 0, cached: 5, completion: 0, reasoning: 3, total: 8 });
    });

    it('reserves completion allowance plus body bytes at the highest coefficient and the dearest multiplier', () => {
        expect(reservationTokens(1000, 200, 4000, prices())).toBe(4800);
        expect(reservationTokens(10, 90, 1000, prices({ reasoningMultiplier: 30000 }))).toBe(300);
    });
});
