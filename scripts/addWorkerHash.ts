import { hashScript } from './lib/hashOps';

/** `npx blueprint run addWorkerHash <root> <hash>`: allow a worker image hash (TDX measurement). */
export const run = hashScript('add', 'worker');
