#!/usr/bin/env node
// Entry point of the `cocoon` command: runs the TypeScript CLI through ts-node with swc (no build step, fast start).
const path = require('path');
require('ts-node').register({ swc: true, project: path.join(__dirname, '..', 'tsconfig.json') });
require('../offchain/cli/main').main(process.argv);
