import { hashScript } from './lib/hashOps';

/** `npx blueprint run addProxyHash <root> <hash>`: allow a proxy image hash (TDX measurement). */
export const run = hashScript('add', 'proxy');
