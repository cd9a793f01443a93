/**
 * `npm run bench:chaincost`: on-chain transactions and fees per 1,000 requests on the local network at the default
 * thresholds (targets: at most 1 transaction, fees under 0.1 % of what the client paid), and each flow's fee beside
 * COCOON's FunC figures (lib/chainCost.ts).
 */
import { benchChainCost } from './lib/chainCost';
import { runPart } from './lib/report';

runPart(benchChainCost);
