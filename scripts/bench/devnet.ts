/**
 * `npm run bench:devnet`: the devnet's throughput through its HTTP API against raw `@ton/sandbox` in the same run
 * (target: wallet transfers at least 50% of raw), and its store with a long history (scripts/bench/lib/devnet.ts).
 */
import { benchDevnet } from './lib/devnet';

benchDevnet({ smoke: false, log: (line) => console.error(line) })
    .then((s) => {
        console.log(`## ${s.title}\n\n${s.table}\n`);
        for (const t of s.targets) console.log(`- ${t.what}: ${t.measured} (target ${t.target}): ${t.met ? 'met' : 'missed'}`);
        for (const n of s.notes) console.log(`- ${n}`);
    })
    .catch((e) => {
        console.error(`bench: ${(e as Error).message}`);
        process.exit(1);
    });
