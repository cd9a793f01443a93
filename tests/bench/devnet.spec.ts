import { benchDevnet } from '../../scripts/bench/lib/devnet';

/** A smoke run of `npm run bench:devnet`: every figure is produced (the figures themselves are the benchmark's). */
describe('the devnet benchmark', () => {
    it('measures the devnet and raw sandbox side by side, and the store, with every figure a positive number', async () => {
        const section = await benchDevnet({ smoke: true, log: () => undefined });
        expect(section.title).toBe('Devnet');
        const rows = section.table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| measure') && !l.startsWith('| store') && !l.startsWith('| ---'));
        expect(rows).toHaveLength(6);
        for (const row of rows) {
            const cells = row.split(' | ').slice(1);
            for (const cell of cells.filter((c) => !c.startsWith('–'))) {
                const numbers = [...cell.matchAll(/\d+(\.\d+)?/g)].map((m) => Number(m[0]));
                expect(numbers.length).toBeGreaterThan(0);
                for (const n of numbers) expect(n).toBeGreaterThan(0);
            }
        }
        expect(section.targets).toEqual([{ what: 'devnet wallet transfers/s ÷ raw @ton/sandbox', measured: expect.stringMatching(/^\d+%$/), target: '≥ 50%', met: expect.any(Boolean) }]);
        expect(section.notes.length).toBeGreaterThanOrEqual(2);
    }, 60_000);
});
