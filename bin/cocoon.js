#!/usr/bin/env node
// Entry point of the `cocoon` command: runs the TypeScript CLI through ts-node (transpile only, no build step).
const path = require('path');
require('ts-node').register({ transpileOnly: true, project: path.join(__dirname, '..', 'tsconfig.json') });
require('../offchain/cli/main').main(process.argv);
