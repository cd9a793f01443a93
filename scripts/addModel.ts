import { hashScript } from './lib/hashOps';

/** `npx blueprint run addModel <root> <model name>`: allow a model (the root stores sha256 of its name). */
export const run = hashScript('add', 'model');
