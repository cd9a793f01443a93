/**
 * `npm run bench:topology`: 10 proxies, 1,000 workers and 100 clients on the devnet, traffic for
 * BENCH_TOPOLOGY_SECONDS (default 60), every account settled and checked to the nanoTON; prints the section.
 */
import { benchTopology } from './lib/topology';

const seconds = process.env.BENCH_TOPOLOGY_SECONDS;
if (seconds !== undefined && !(Number(seconds) > 0)) {
    console.error(`bench:topology: BENCH_TOPOLOGY_SECONDS must be a positive number of seconds, got "${seconds}"`);
    process.exit(1);
}

benchTopology({ smoke: false, log: (l) => console.error(l) }, seconds ? { seconds: Number(seconds) } : {})
    .then((s) => {
        console.log(`## ${s.title}\n\n${s.table}\n`);
        for (const t of s.targets) console.log(`- ${t.met ? 'met' : 'MISSED'}: ${t.what}: ${t.measured} (target ${t.target})`);
        for (const n of s.notes) console.log(`- ${n}`);
    })
    .catch((e) => {
        console.error(`bench:topology: ${(e as Error).message}`);
        process.exit(1);
    });
