#!/usr/bin/env node
// `npm start`'s build step: compiles the five contracts with Blueprint, keeping its long output (hex dumps, progress
// escapes) to itself unless the build fails, and prints one line. `npm run build` still shows everything.
const { spawnSync } = require('child_process');
const path = require('path');

const started = Date.now();
const blueprint = path.join(__dirname, '..', 'node_modules', '.bin', 'blueprint');
const r = spawnSync(blueprint, ['build', '--all'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
if (r.status !== 0) {
    process.stdout.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    console.error(`contract build failed (${r.error ? r.error.message : `exit ${r.status}`})`);
    process.exit(1);
}
const built = (r.stdout.match(/Wrote compilation artifact/g) ?? []).length;
console.log(`· contracts: built ${built} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
