import type { BenchSection } from '../../scripts/bench/lib/section';

/** Every table cell after the first column is a finite positive number (or ratio), and every target was measured. */
export function expectEveryFigure(section: BenchSection, rows: number): void {
    const lines = section.table.split('\n');
    expect(lines).toHaveLength(rows + 2);
    for (const line of lines.slice(2)) {
        const figures = line.split('|').slice(2, -1).map((cell) => Number(cell.trim().replace(/[×%]$/, '')));
        expect(figures.length).toBeGreaterThan(0);
        for (const f of figures) {
            expect(Number.isFinite(f)).toBe(true);
            expect(f).toBeGreaterThan(0);
        }
    }
    for (const t of section.targets) expect(Number(t.measured.replace(/[×%]$/, ''))).toBeGreaterThan(0);
    expect(section.notes.length).toBeGreaterThan(0);
}
