/**
 * `npm run bench:devnet`: the devnet's throughput through its HTTP API against raw `@ton/sandbox` in the same run
 * (target: wallet transfers at least 50% of raw), and its store with a long history (lib/devnet.ts).
 */
import { benchDevnet } from './lib/devnet';
import { runPart } from './lib/report';

runPart(benchDevnet);
