/**
 * `npm run bench`: every benchmark of issue "Performance at network scale" in turn, each bounded in time, each
 * figure beside its baseline from the same run; prints the parts and writes docs/benchmarks.md.
 * `--smoke`: a few seconds per part, printed only. `--only a,b`: those parts (names below).
 */
import { writeFileSync } from 'fs';
import os from 'os';
import { join } from 'path';
import { benchAttest } from './lib/attest';
import { benchChainCost } from './lib/chainCost';
import { benchDevnet } from './lib/devnet';
import { benchProxyOverhead } from './lib/proxyOverhead';
import { benchRatls } from './lib/ratls';
import { benchScale } from './lib/scale';
import { benchTopology } from './lib/topology';
import { machineNow, printSection, renderReport } from './lib/report';
import type { BenchOptions, BenchSection } from './lib/section';

const PARTS: Record<string, (o: BenchOptions) => Promise<BenchSection>> = {
    proxy: benchProxyOverhead,
    scale: benchScale,
    topology: benchTopology,
    chaincost: benchChainCost,
    attest: benchAttest,
    ratls: benchRatls,
    devnet: benchDevnet,
};

async function main(argv: string[]): Promise<void> {
    const smoke = argv.includes('--smoke');
    const onlyAt = argv.indexOf('--only');
    const names = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',') : Object.keys(PARTS);
    const unknown = names.filter((n) => !PARTS[n]);
    if (unknown.length > 0) throw new Error(`unknown part(s) ${unknown.join(', ')}; the parts are ${Object.keys(PARTS).join(', ')}`);
    const loadAtStart = os.loadavg()[0];
    const started = Date.now();
    const sections: BenchSection[] = [];
    for (const name of names) {
        const partStarted = Date.now();
        console.error(`bench: ${name}…`);
        const section = await PARTS[name]({ smoke, log: (l) => console.error(`  ${l}`) });
        console.error(`bench: ${name} took ${((Date.now() - partStarted) / 1000).toFixed(0)} s`);
        printSection(section);
        sections.push(section);
    }
    if (smoke || onlyAt >= 0) return;
    const file = join(__dirname, '..', '..', 'docs', 'benchmarks.md');
    writeFileSync(file, renderReport({ sections, machine: machineNow(loadAtStart), date: new Date(), seconds: (Date.now() - started) / 1000, command: 'npm run bench' }));
    console.log(`\nwritten to ${file}`);
}

main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e) => {
        console.error(`bench: ${(e as Error).message}`);
        process.exit(1);
    },
);
