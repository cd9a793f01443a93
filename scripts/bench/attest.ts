/** `npm run bench:attest`: TDX quote verification against ECDSA-P256 verifications in the same run (lib/attest.ts). */
import { benchAttest } from './lib/attest';
import { runPart } from './lib/report';

runPart(benchAttest);
