/**
 * `npm run bench:topology`: 10 proxies, 1,000 workers and 100 clients on the devnet, traffic for a bounded time,
 * every account settled and checked to the nanoTON (lib/topology.ts).
 */
import { benchTopology } from './lib/topology';
import { runPart } from './lib/report';

runPart(benchTopology);
