import { measureProxyOverhead, overheadTable } from '../../scripts/bench/lib/proxyOverhead';

/** A smoke run of `npm run bench:proxy`: every figure is produced (the figures themselves are the benchmark's). */
describe('the proxy overhead benchmark', () => {
    it('measures both paths at each concurrency and prints one row each', async () => {
        const rows = await measureProxyOverhead({ seconds: 0.3, concurrency: [1, 4] });
        expect(rows.map((r) => r.concurrency)).toEqual([1, 4]);
        for (const r of rows) {
            for (const p of [r.direct, r.network]) {
                expect(p.requests).toBeGreaterThan(0);
                expect(p.tokens).toBeGreaterThanOrEqual(p.requests);
                expect(p.ttftP50).toBeGreaterThan(0);
                expect(p.ttftP99).toBeGreaterThanOrEqual(p.ttftP50);
            }
        }
        const table = overheadTable(rows).split('\n');
        expect(table).toHaveLength(4);
        expect(table[2]).toMatch(/^\| 1 \| [\d.]+ \/ [\d.]+ \| [\d.]+ \/ [\d.]+ \| -?[\d.]+ \/ -?[\d.]+ \| \d+ \/ \d+ \| \d+ \/ \d+ \| \d+% \|$/);
    }, 120_000);
});
