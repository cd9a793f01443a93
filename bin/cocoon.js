#!/usr/bin/env node
// Entry point of the `cocoon` command: runs the TypeScript CLI through ts-node with swc (no build step, fast start).
// main() is the CLI's error boundary; anything that still escapes it (a rejection or an exception thrown later, from
// a callback) is reported here in one line, never as a stack, with exit code 1.
const path = require('path');
const fail = (e) => {
    const message = String((e && e.message) || e).replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`cocoon: unexpected error: ${message}\n`);
    process.exit(1);
};
process.on('unhandledRejection', fail);
process.on('uncaughtException', fail);
try {
    require('ts-node').register({ swc: true, project: path.join(__dirname, '..', 'tsconfig.json') });
    require('../offchain/cli/main').main(process.argv).catch(fail);
} catch (e) {
    fail(e);
}
