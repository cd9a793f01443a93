/**
 * `npm run bench:proxy`: the time the COCOON path (client API, proxy, worker, each its own process) adds to the first
 * token, and its streamed throughput, against the test engine called directly in the same run, at 1, 16 and 128
 * concurrent streams (`--smoke`: a few seconds).
 */
import { benchProxyOverhead } from './lib/proxyOverhead';
import { printSection } from './lib/report';

benchProxyOverhead({ smoke: process.argv.includes('--smoke'), log: (l) => console.error(l) })
    .then((section) => printSection(section))
    .catch((e) => {
        console.error(`bench: ${(e as Error).message}`);
        process.exit(1);
    });
