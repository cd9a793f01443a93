#!/usr/bin/env node
// Entry point of the `cocoon` command: runs the TypeScript CLI through ts-node with swc (no build step, fast start).
// Anything that escapes the CLI's own error handling is still reported in one line, with a non-zero exit.
const path = require('path');
const fail = (e) => {
    console.error(`cocoon: unexpected error: ${(e && e.message) || e}`);
    process.exit(1);
};
process.on('unhandledRejection', fail);
try {
    require('ts-node').register({ swc: true, project: path.join(__dirname, '..', 'tsconfig.json') });
    require('../offchain/cli/main').main(process.argv).catch(fail);
} catch (e) {
    fail(e);
}
