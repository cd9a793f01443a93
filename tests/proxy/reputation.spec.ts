import { ReputationBook, SELECTION_PERCENTILES_MS } from '../../offchain/proxy/reputation';
import { onChainEntry } from '../../offchain/proxy/reputationPublisher';

describe('worker reputation over a sliding window', () => {
    let now = 1_000_000;
    const clock = () => now;
    const ok = (ttftMs: number, completionTokens = 20, streamMs = 400) => ({ ok: true as const, durationMs: ttftMs + streamMs, ttftMs, completionTokens, streamMs });

    it('starts at the top score with no figures, and keeps workers without requests out of the snapshot', () => {
        const book = new ReputationBook(60, clock);
        expect(book.of('0:aa').figures()).toEqual({
            score: 10000, requests: 0, successes: 0, failures: {}, ttftP50Ms: null, ttftP90Ms: null, tokensPerSecondP50: null, windowSeconds: 60,
        });
        expect(book.all().size).toBe(0);
    });

    it('counts requests, failures by kind, p50/p90 time to first token and p50 tokens per second', () => {
        const book = new ReputationBook(60, clock);
        const r = book.of('0:aa');
        for (const t of [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]) r.record(ok(t, 20, 400)); // 50 tokens/s
        r.record({ ok: false, kind: 'engine_error' });
        r.record({ ok: false, kind: 'first_token_timeout' });
        const f = r.figures();
        expect(f).toEqual({
            // reliability (10 + 1) / (12 + 1), speed 1000 / (1000 + 600)
            score: Math.round(10000 * (11 / 13) * (1000 / 1600)),
            requests: 12,
            successes: 10,
            failures: { engine_error: 1, first_token_timeout: 1 },
            ttftP50Ms: 600,
            ttftP90Ms: 1000,
            tokensPerSecondP50: 50,
            windowSeconds: 60,
        });
        expect(onChainEntry(f)).toEqual({ requests: 12, failures: 2, ttftP50Ms: 600, tokensPerSecondP50x100: 5000, score: 5288 });
    });

    it('forgets what left the window', () => {
        const book = new ReputationBook(60, clock);
        const r = book.of('0:bb');
        r.record({ ok: false, kind: 'timeout' });
        now += 30_000;
        r.record(ok(100));
        expect(r.figures().requests).toBe(2);
        now += 31_000;
        expect(r.figures()).toMatchObject({ requests: 1, successes: 1, failures: {} });
        now += 61_000;
        expect(r.figures().requests).toBe(0);
        expect(book.all().size).toBe(0);
    });

    it('keeps exact counts and percentiles over many samples sliding out of the window', () => {
        const book = new ReputationBook(10, clock);
        const r = book.of('0:cc');
        // 20 000 requests, one every millisecond, every 1000th an engine error: the window (10 s, both ends in) holds the last 10 001
        for (let i = 1; i <= 20_000; i++) {
            now += 1;
            r.record(i % 1000 === 0 ? { ok: false, kind: 'engine_error' } : ok(i % 2 === 0 ? 100 : 300));
        }
        expect(r.figures()).toMatchObject({ requests: 10_001, successes: 9_990, failures: { engine_error: 11 }, ttftP50Ms: 300 });
        for (let i = 0; i < 5000; i++) r.record(ok(100));
        r.record({ ok: false, kind: 'timeout' });
        expect(r.figures()).toMatchObject({ requests: 15_002, successes: 14_990, failures: { engine_error: 11, timeout: 1 }, ttftP50Ms: 100 });
        now += 10_001;
        expect(r.figures()).toMatchObject({ requests: 0, successes: 0, failures: {}, ttftP50Ms: null });
    });

    it('lets selection reuse percentiles for a second while status has them exact; counts are always exact', () => {
        const r = new ReputationBook(60, clock).of('0:dd');
        expect(r.forSelection(now)).toEqual({ score: 10000, ttftP50Ms: null });
        // the first samples count at once, whatever the age of the empty window's figures
        for (let i = 0; i < 3; i++) r.record(ok(300));
        expect(r.forSelection(now)).toEqual({ score: Math.round(10000 * (1000 / 1300)), ttftP50Ms: 300 });
        for (let i = 0; i < 4; i++) r.record(ok(100));
        r.record({ ok: false, kind: 'timeout' });
        // reliability (7 + 1) / (8 + 1) at once; the percentiles of a moment ago
        expect(r.forSelection(now)).toEqual({ score: Math.round(10000 * (8 / 9) * (1000 / 1300)), ttftP50Ms: 300 });
        expect(r.figures()).toMatchObject({ requests: 8, successes: 7, ttftP50Ms: 100 });
        r.record(ok(300));
        r.record(ok(300));
        expect(r.forSelection(now).ttftP50Ms).toBe(100);
        now += SELECTION_PERCENTILES_MS;
        expect(r.forSelection(now).ttftP50Ms).toBe(300);
        expect(r.figures()).toMatchObject({ requests: 10, successes: 9, ttftP50Ms: 300 });
    });
});
