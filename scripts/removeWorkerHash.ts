import { hashScript } from './lib/hashOps';

/** `npx blueprint run removeWorkerHash <root> <hash>`: disallow a worker image hash. */
export const run = hashScript('remove', 'worker');
