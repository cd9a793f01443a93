/** `npm run bench:ratls`: RA-TLS mutual handshakes against plain Node mutual TLS 1.3 in the same run (lib/ratls.ts). */
import { benchRatls } from './lib/ratls';
import { runPart } from './lib/report';

runPart(benchRatls);
