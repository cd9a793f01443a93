import { benchScale } from '../../scripts/bench/lib/scale';

/** A smoke run of `npm run bench:scale` (20 workers, 200 streams): every figure is produced, every token accounted. */
describe('the scale benchmark', () => {
    it('fills every figure of its table and accounts every stream exactly', async () => {
        const s = await benchScale({ smoke: true, log: () => {} });
        const rows = s.table.split('\n').slice(2);
        expect(rows).toHaveLength(6);
        for (const row of rows) {
            // the "at scale" cell and the baseline cell (where there is one) hold finite numbers, at least one each
            // (memory deltas of a smoke run may be noise around zero, so no sign is asserted)
            for (const cell of row.split(' | ').slice(1, 3).filter((c) => c !== '–')) {
                const figures = cell.replace(/\([^)]*\)/g, '').match(/-?[\d.]+/g)!.map(Number);
                expect(figures.length).toBeGreaterThan(0);
                for (const n of figures) expect(Number.isFinite(n)).toBe(true);
            }
        }
        expect(s.targets).toHaveLength(1);
        expect(s.targets[0]).toMatchObject({ target: 'all, exact', met: true });
        expect(s.notes.length).toBeGreaterThan(0);
    }, 60_000);
});
