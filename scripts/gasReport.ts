// `npm run gas`: our compute-phase gas per op beside the reference FunC figure. `--write` also saves the table
// to docs/gas-report.md, the tracked results file.
import { writeFileSync } from 'fs';
import { join } from 'path';
import { GAS_LIMIT_RATIO } from '../tests/gas/reference';
import { GasResult, loadScenarios, measure } from '../tests/gas/scenarios';

function table(results: GasResult[]): string {
    const rows = results.map((r) => {
        const op = r.note ? `${r.op} (${r.note})` : r.op;
        const flag = r.ratio > GAS_LIMIT_RATIO ? ' over limit' : r.ratio > 1 ? ' above reference' : '';
        return `| ${op} | ${r.gas} | ${r.reference} | ${r.ratio.toFixed(2)}${flag} |`;
    });
    return ['| op | ours | reference (FunC) | ratio |', '|---|---:|---:|---:|', ...rows].join('\n');
}

async function main(): Promise<void> {
    const results: GasResult[] = [];
    for (const scenario of loadScenarios()) results.push(await measure(scenario));
    const text = table(results);
    console.log(text);
    const above = results.filter((r) => r.ratio > 1).length;
    console.log(`\n${results.length} ops measured, ${above} above the reference, limit ${GAS_LIMIT_RATIO}×`);
    if (process.argv.includes('--write')) {
        const doc = `# Gas report\n\nCompute-phase gas of the receiving contract, median of the scenario's successful transactions (\`npm run gas\`).\n\n${text}\n`;
        writeFileSync(join(__dirname, '..', 'docs', 'gas-report.md'), doc);
    }
    if (results.some((r) => r.ratio > GAS_LIMIT_RATIO)) process.exitCode = 1;
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
