import { hashScript } from './lib/hashOps';

/** `npx blueprint run removeProxyHash <root> <hash>`: disallow a proxy image hash. */
export const run = hashScript('remove', 'proxy');
