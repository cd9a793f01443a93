/**
 * `npm run bench:scale`: one proxy in its own process with 1,000 fake-TDX worker connections and 10,000 concurrent
 * streams (issue "Performance at network scale", Scale); prints its section. BENCH_SMOKE=1 for a run of seconds.
 */
import { benchScale } from './lib/scale';

benchScale({ smoke: process.env.BENCH_SMOKE === '1', log: (line) => console.error(line) })
    .then((s) => console.log([`## ${s.title}`, '', s.table, '', ...s.targets.map((t) => `- ${t.met ? 'met' : 'MISSED'}: ${t.what}: ${t.measured} (target ${t.target})`), '', ...s.notes.map((n) => `- ${n}`)].join('\n')))
    .catch((e) => {
        console.error(`bench:scale: ${(e as Error).message}`);
        process.exit(1);
    });
