/**
 * `npm run bench:proxy`: the time the COCOON path (client library and API, proxy, worker) adds to the first token,
 * and its streamed throughput, against the test engine called directly in the same run, at 1, 16 and 128 concurrent
 * streams. Targets (issue "Performance at network scale"): added p50 under 1 ms, p99 under 5 ms; at 128 streams at
 * least 90% of direct throughput.
 */
import { measureProxyOverhead, overheadTable } from './lib/proxyOverhead';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);

measureProxyOverhead({ seconds, concurrency: [1, 16, 128], log: (l) => console.error(l) })
    .then((rows) => console.log(overheadTable(rows)))
    .catch((e) => {
        console.error(`bench: ${(e as Error).message}`);
        process.exit(1);
    });
