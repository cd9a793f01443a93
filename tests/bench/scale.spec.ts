import { benchScale } from '../../scripts/bench/lib/scale';

/** A smoke run of `npm run bench:scale` (20 workers, 200 streams): every figure is produced, every token accounted. */
describe('the scale benchmark', () => {
    it('fills every figure of its table and accounts every stream exactly', async () => {
        const s = await benchScale({ smoke: true, log: () => {} });
        const rows = s.table.split('\n').slice(2);
        expect(rows).toHaveLength(6);
        for (const row of rows) {
            // the "at scale" cell of every row holds only finite, positive-or-zero numbers, and at least one
            const figures = row.split(' | ')[1].replace(/\([^)]*\)/g, '').match(/-?[\d.]+/g)!.map(Number);
            expect(figures.length).toBeGreaterThan(0);
            for (const n of figures) expect(Number.isFinite(n)).toBe(true);
        }
        expect(s.targets).toHaveLength(1);
        expect(s.targets[0]).toMatchObject({ target: 'all, exact', met: true });
        expect(s.notes.length).toBeGreaterThan(0);
    }, 60_000);
});
