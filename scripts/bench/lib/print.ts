// The section of one `npm run bench:<part>` as markdown on stdout (progress on stderr), exit 1 on an error;
// `--smoke` runs it for a few seconds.
import { BenchOptions, BenchSection } from './section';

function formatSection(s: BenchSection): string {
    const targets = s.targets.map((t) => `- ${t.met ? 'met' : 'MISSED'}: ${t.what} = ${t.measured} (target ${t.target})`);
    return [`## ${s.title}`, '', s.table, '', ...targets, '', ...s.notes.map((n) => `- ${n}`)].join('\n');
}

export function printSection(bench: (o: BenchOptions) => Promise<BenchSection>): void {
    bench({ smoke: process.argv.includes('--smoke'), log: (line) => console.error(line) })
        .then((s) => console.log(formatSection(s)))
        .catch((e) => {
            console.error(`bench: ${(e as Error).message}`);
            process.exitCode = 1;
        });
}
