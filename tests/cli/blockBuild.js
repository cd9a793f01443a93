// Preloaded by tests/cli/commands.spec.ts: any attempt to load a compiled contract binding (build/) fails loudly,
// so a command that works under it works before `npm run build`.
const Module = require('module');
const { join, sep } = require('path');
const buildDir = join(__dirname, '..', '..', 'build') + sep;
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
    const file = resolve.call(this, request, parent, ...rest);
    if (file.startsWith(buildDir)) throw new Error(`loaded a build artifact: ${file}`);
    return file;
};
