import { benchRatls } from '../../scripts/bench/lib/ratls';
import { expectEveryFigure } from './figures';

/** A smoke run of `npm run bench:ratls`: every figure is produced (the figures themselves are the benchmark's). */
describe('the RA-TLS handshake benchmark', () => {
    it('measures RA-TLS beside plain mutual TLS at each concurrency and states the targets', async () => {
        const section = await benchRatls({ smoke: true, log: () => undefined });
        expect(section.title).toBe('RA-TLS mutual handshakes');
        expectEveryFigure(section, 2);
        expect(section.targets.map((t) => [t.what, t.target])).toEqual([
            ['RA-TLS ÷ plain mTLS handshakes/s, 1 in flight', '≥ 80%'],
            ['RA-TLS ÷ plain mTLS handshakes/s, 8 in flight', '≥ 80%'],
        ]);
    }, 30_000);
});
