// What every part of `npm run bench` returns, so one script can print the tables and write docs/benchmarks.md.

/** One target of issue "Performance at network scale", with what this run measured against it. */
export interface Target {
    /** e.g. "quotes/s ÷ ECDSA-P256 verifies/s". */
    what: string;
    /** The measured figure as shown, e.g. "0.34×". */
    measured: string;
    /** The target as shown, e.g. "≥ 0.3×". */
    target: string;
    met: boolean;
}

export interface BenchSection {
    /** The section's heading in docs/benchmarks.md. */
    title: string;
    /** A markdown table: the figures beside their baseline from the same run. */
    table: string;
    targets: Target[];
    /** Short lines under the table: how it was measured, and for a missed target by how much and why. */
    notes: string[];
}

export interface BenchOptions {
    /** A few seconds in all, for `npm test`: every figure produced, none of them meaningful. */
    smoke: boolean;
    /** Progress lines for a person (stderr). */
    log: (line: string) => void;
}

/** A markdown table from a header row and rows of cells. */
export function markdownTable(header: string[], rows: (string | number)[][], align: ('l' | 'r')[] = []): string {
    const rule = header.map((_, i) => ((align[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : '---'));
    const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
    return [line(header), `|${rule.join('|')}|`, ...rows.map(line)].join('\n');
}
