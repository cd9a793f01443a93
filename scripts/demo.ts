// `npm start`: until the off-chain services exist, deploy the COCOON contracts into an in-process sandbox, run one
// deposit → signed charge → signed worker payout → earnings withdrawal cycle, and print every balance, fee and
// transfer, then check that the money adds up. Exits 0 when every check holds, 1 otherwise.
import { Account } from './demo/ledger';
import { DemoResult, runDemo, StepRecord } from './demo/cycle';
import { formatTon, Summary, summarize } from './demo/summary';

const pad = (s: string, n: number) => s.padEnd(n);
const STATE = ['normal', 'closing', 'closed'];
const ton = (n: bigint) => formatTon(n).padStart(16);

function printStep(step: StepRecord, index: number, accounts: Account[], previous: Map<string, bigint>, print: (line: string) => void) {
    print('');
    print(`== ${index}. ${step.title}`);
    print(step.story);
    print('  balances (TON)                  now           change');
    for (const a of accounts) {
        const now = step.balances.get(a.name)!;
        const delta = now - previous.get(a.name)!;
        print(`    ${pad(a.name, 22)} ${ton(now)} ${delta === 0n ? '' : ton(delta)}`);
    }
    print('  transfers');
    for (const t of step.transfers) print(`    ${pad(t.from, 22)} → ${pad(t.to, 22)} ${ton(t.value)}  ${t.kind}`);
    const by = [...step.feesBy].map(([name, fee]) => `${name} ${formatTon(fee)}`).join(', ');
    print(`  fees of this step: ${formatTon(step.fees)} TON (${by})`);
    if (step.proxy) {
        const p = step.proxy;
        print(`  proxy contract: ${STATE[p.state]}, earnings ${formatTon(p.balance)}, stake ${formatTon(p.stake)} (covers min ${formatTon(p.minProxyStake)}: ${p.stakeCovered})`);
    }
    if (step.client) {
        const c = step.client;
        print(`  client contract: ${STATE[c.state]}, balance ${formatTon(c.balance)}, stake ${formatTon(c.stake)}, tokens used ${c.tokensUsed}`);
    }
    if (step.worker) print(`  worker contract: ${STATE[step.worker.state]}, tokens paid ${step.worker.tokens}`);
}

function printSummary(r: DemoResult, s: Summary, print: (line: string) => void) {
    print('');
    print('== Summary');
    print(`  registry: ${r.registry.proxyHashes} proxy image, ${r.registry.workerHashes} worker image, ${r.registry.modelHashes} model hash; proxies ${r.registry.proxies.join(', ')}`);
    print(`  charged to the client: ${formatTon(s.charged)} TON; worker owner received ${formatTon(s.workerPaid)}, proxy operator ${formatTon(s.operatorPaid)}`);
    print(`  fees paid by everyone: ${formatTon(s.totalFees)} TON`);
    for (const c of s.checks) print(`  [${c.ok ? 'ok' : 'FAILED'}] ${c.label}: ${c.detail}`);
}

export interface DemoRun {
    exitCode: number;
    result: DemoResult;
    summary: Summary;
}

/** Runs and prints the demo; `exitCode` is the process exit code. */
export async function main(print: (line: string) => void = console.log): Promise<DemoRun> {
    print('COCOON contracts in a local sandbox: one payment cycle');
    let index = 0;
    const result = await runDemo((step, accounts, previous) => {
        if (index === 0) {
            print('Accounts (wallets are sandbox treasuries; contract addresses derived from public inputs):');
            for (const a of accounts) print(`    ${pad(a.name, 22)} ${a.address.toString({ testOnly: true })}`);
        }
        printStep(step, ++index, accounts, previous, print);
    });
    const summary = summarize(result);
    printSummary(result, summary, print);
    const failed = summary.checks.filter((c) => !c.ok);
    if (failed.length > 0) print(`demo failed: ${failed.length} check(s) did not hold`);
    return { exitCode: failed.length > 0 ? 1 : 0, result, summary };
}

if (require.main === module) {
    main().then(
        (run) => process.exit(run.exitCode),
        (e: Error) => {
            console.error(`demo failed: ${e.message}`);
            process.exit(1);
        },
    );
}
