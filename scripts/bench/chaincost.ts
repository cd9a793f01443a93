/**
 * `npm run bench:chaincost`: on-chain transactions and fees per 1,000 requests on the local network at the default
 * thresholds (targets: at most 1 transaction, fees under 0.1 % of what the client paid), and each flow's fee beside
 * COCOON's FunC figures. BENCH_SMOKE=1 runs the few-second version.
 */
import { benchChainCost } from './lib/chainCost';

benchChainCost({ smoke: process.env.BENCH_SMOKE === '1', log: (l) => console.error(l) })
    .then((s) => {
        console.log(`## ${s.title}\n\n${s.table}\n`);
        for (const t of s.targets) console.log(`- ${t.what}: ${t.measured} (target ${t.target}) ${t.met ? 'met' : 'missed'}`);
        console.log(`\n${s.notes.map((n) => `- ${n}`).join('\n')}`);
        process.exit(0);
    })
    .catch((e) => {
        console.error(`bench: ${(e as Error).message}`);
        process.exit(1);
    });
