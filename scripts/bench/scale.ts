/**
 * `npm run bench:scale`: one proxy in its own process with 1,000 fake-TDX worker connections and 10,000 concurrent
 * streams (issue "Performance at network scale", Scale) (lib/scale.ts).
 */
import { benchScale } from './lib/scale';
import { runPart } from './lib/report';

runPart(benchScale);
