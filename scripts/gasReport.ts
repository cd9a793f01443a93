// `npm run gas`: our compute-phase gas per op beside the reference FunC figure. `--write` also saves the table
// to docs/gas-report.md, the tracked results file.
import { writeFileSync } from 'fs';
import { join } from 'path';
import { GAS_LIMIT_RATIO } from '../tests/gas/reference';
import { GasResult, loadScenarios, measure } from '../tests/gas/scenarios';
import { measureSnapshotFee, SnapshotFee } from '../tests/gas/reputationFees';
import { FlowFee, measureFlows } from '../tests/gas/flows';

function table(results: GasResult[]): string {
    const rows = results.map((r) => {
        const op = r.note ? `${r.op} (${r.note})` : r.op;
        const flag = r.ratio > GAS_LIMIT_RATIO ? ' over limit' : r.ratio > 1 ? ' above reference' : '';
        return `| ${op} | ${r.gas} | ${r.reference} | ${r.ratio.toFixed(2)}${flag} |`;
    });
    return ['| op | ours | reference (FunC) | ratio |', '|---|---:|---:|---:|', ...rows].join('\n');
}

const ton = (n: bigint): string => (Number(n) / 1e9).toFixed(6);

function snapshotTable(fees: SnapshotFee[]): string {
    const rows = fees.map((f) => `| ${f.workers} | ${f.cells} | ${f.bits} | ${ton(f.publishFee)} | ${ton(f.storagePerDay)} |`);
    return ['| workers | cells | bits | publish fee (TON) | storage per day (TON) |', '|---:|---:|---:|---:|---:|', ...rows].join('\n');
}

function flowTable(flows: FlowFee[]): string {
    const rows = flows.map((f) => `| ${f.flow} | ${f.transactions} | ${ton(f.fees)} |`);
    return ['| flow | transactions | fees (TON) |', '|---|---:|---:|', ...rows].join('\n');
}

async function main(): Promise<void> {
    const results: GasResult[] = [];
    for (const scenario of loadScenarios()) results.push(await measure(scenario));
    const fees: SnapshotFee[] = [];
    for (const n of [10, 100, 1000]) fees.push(await measureSnapshotFee(n));
    const text = `${table(results)}\n\n## Reputation snapshots\n\nWhat the proxy pays to publish one snapshot through its own wallet (external import, wallet gas, forwarding, the proxy contract's gas, the excess back) and the rent of keeping it on the proxy contract (\`tests/gas/reputationFees.ts\`).\n\n${snapshotTable(fees)}`;
    console.log(text);
    const above = results.filter((r) => r.ratio > 1).length;
    console.log(`\n${results.length} ops measured, ${above} above the reference, limit ${GAS_LIMIT_RATIO}×`);
    const flows = flowTable(await measureFlows());
    console.log(`\n${flows}`);
    if (process.argv.includes('--write')) {
        const doc =
            `# Gas report\n\nCompute-phase gas of the receiving contract, median of the scenario's successful transactions (\`npm run gas\`).\n\n${text}\n` +
            `\n## Fees per flow\n\nEvery fee a flow costs (each transaction's total fees and the forwarding fee of each internal message), ` +
            `from the contract's first transaction on (the sender's wallet excluded; the cocoon wallet flow is the wallet's own transaction and the message it sends).\n\n${flows}\n`;
        writeFileSync(join(__dirname, '..', 'docs', 'gas-report.md'), doc);
    }
    if (results.some((r) => r.ratio > GAS_LIMIT_RATIO)) process.exitCode = 1;
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
