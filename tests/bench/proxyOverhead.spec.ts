import { benchProxyOverhead } from '../../scripts/bench/lib/proxyOverhead';

/** A smoke run of the proxy-overhead part of `npm run bench`: every figure is produced (the figures themselves are the benchmark's). */
describe('the proxy overhead benchmark', () => {
    it('measures both paths at each concurrency, with services in their own processes, and states every target', async () => {
        const s = await benchProxyOverhead({ smoke: true, log: () => {} });
        const rows = s.table.split('\n');
        expect(rows).toHaveLength(4);
        for (const [i, streams] of [1, 4].entries()) {
            expect(rows[2 + i]).toMatch(new RegExp(`^\\| ${streams} \\| [\\d.]+ / [\\d.]+ \\| [\\d.]+ / [\\d.]+ \\| -?[\\d.]+ / -?[\\d.]+ \\| [1-9]\\d* / [1-9]\\d* \\| [1-9]\\d* / [1-9]\\d* \\| \\d+% \\|$`));
        }
        expect(s.targets.map((t) => t.what)).toEqual([
            'added TTFT p50, 1 stream(s)',
            'added TTFT p99, 1 stream(s)',
            'added TTFT p50, 4 stream(s)',
            'added TTFT p99, 4 stream(s)',
            'streamed throughput via the network ÷ direct, 4 streams',
        ]);
        for (const t of s.targets) expect(t.measured).toMatch(/^-?\d+(\.\d+)?( ms|%)$/);
    }, 180_000);
});
