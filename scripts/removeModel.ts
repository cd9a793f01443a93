import { hashScript } from './lib/hashOps';

/** `npx blueprint run removeModel <root> <model name>`: disallow a model. */
export const run = hashScript('remove', 'model');
