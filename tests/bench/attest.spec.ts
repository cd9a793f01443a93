import { benchAttest } from '../../scripts/bench/lib/attest';
import { expectEveryFigure } from './figures';

/** A smoke run of `npm run bench:attest`: every figure is produced (the figures themselves are the benchmark's). */
describe('the quote verification benchmark', () => {
    it('measures each case beside ECDSA-P256 and states the target', async () => {
        const section = await benchAttest({ smoke: true, log: () => undefined });
        expect(section.title).toBe('TDX quote verification');
        expectEveryFigure(section, 3);
        expect(section.targets.map((t) => [t.what, t.target])).toEqual([['quotes/s with collateral ÷ ECDSA-P256 verifies/s', '≥ 0.30×']]);
    }, 30_000);
});
