// Prints the parts of `npm run bench` and writes them as one document (docs/benchmarks.md): the machine, the date,
// every target met or missed, then each part's table and notes.
import os from 'os';
import type { BenchOptions, BenchSection } from './section';

export interface Machine {
    cpu: string;
    cores: number;
    memoryGiB: number;
    node: string;
    os: string;
    /** 1-minute load average when the run began and ended: other work on the machine skews absolute figures. */
    load: [number, number];
}

export function machineNow(loadAtStart: number): Machine {
    return {
        cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
        cores: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        load: [loadAtStart, os.loadavg()[0]],
    };
}

/** One part as a person reads it in a terminal. */
export function printSection(s: BenchSection, out: (line: string) => void = console.log): void {
    out(`\n## ${s.title}\n`);
    out(s.table);
    out('');
    for (const t of s.targets) out(`${t.met ? 'met   ' : 'MISSED'}  ${t.what}: ${t.measured} (target ${t.target})`);
    for (const n of s.notes) out(`- ${n}`);
}

/** The whole run as markdown. */
export function renderReport(o: { sections: BenchSection[]; machine: Machine; date: Date; seconds: number; command: string }): string {
    const m = o.machine;
    const targets = o.sections.flatMap((s) => s.targets.map((t) => ({ ...t, part: s.title })));
    const met = targets.filter((t) => t.met).length;
    return [
        '# Benchmarks',
        '',
        `Written by \`${o.command}\` on ${o.date.toISOString().slice(0, 16).replace('T', ' ')} UTC in ${Math.round(o.seconds)} s.`,
        `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}; load average ${m.load[0].toFixed(2)} at the start, ${m.load[1].toFixed(2)} at the end.`,
        'Every figure stands beside its baseline from the same run: the ratios are what to compare between machines.',
        '',
        `## Targets (${met} of ${targets.length} met)`,
        '',
        '| part | what | measured | target | |',
        '|---|---|---:|---:|---|',
        ...targets.map((t) => `| ${t.part} | ${t.what} | ${t.measured} | ${t.target} | ${t.met ? 'met' : '**missed**'} |`),
        ...o.sections.flatMap((s) => ['', `## ${s.title}`, '', s.table, '', ...s.notes.map((n) => `- ${n}`)]),
        '',
    ].join('\n');
}

/** The whole of a `npm run bench:<part>` script: runs the part (`--smoke`: a few seconds), prints it, exit 1 on an error. */
export function runPart(bench: (o: BenchOptions) => Promise<BenchSection>): void {
    bench({ smoke: process.argv.includes('--smoke'), log: (line) => console.error(line) }).then(
        (s) => {
            printSection(s);
            process.exit(0);
        },
        (e) => {
            console.error(`bench: ${(e as Error).message}`);
            process.exit(1);
        },
    );
}
