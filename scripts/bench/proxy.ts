/**
 * `npm run bench:proxy`: the time the COCOON path (client API, proxy, worker, each its own process) adds to the first
 * token, and its streamed throughput, against the test engine called directly in the same run, at 1, 16 and 128
 * concurrent streams (lib/proxyOverhead.ts).
 */
import { benchProxyOverhead } from './lib/proxyOverhead';
import { runPart } from './lib/report';

runPart(benchProxyOverhead);
