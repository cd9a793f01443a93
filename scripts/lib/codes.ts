import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { Cell } from '@ton/core';

export class ScriptError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ScriptError';
    }
}

/** The build directory: `build/` of the project, or `COCOON_BUILD_DIR` (tests point it elsewhere). */
export function buildDir(): string {
    return process.env.COCOON_BUILD_DIR ?? join(__dirname, '../../build');
}

/** A contract's code from Blueprint's artifact `build/<Name>.compiled.json` (`npx blueprint build <Name>`). */
export function compiledCode(name: 'CocoonProxy' | 'CocoonWorker' | 'CocoonClient' | 'CocoonRoot' | 'CocoonWallet'): Cell {
    const file = join(buildDir(), `${name}.compiled.json`);
    if (!existsSync(file)) {
        throw new ScriptError(`${file} is missing: run \`npx blueprint build ${name}\` first`);
    }
    const hex = JSON.parse(readFileSync(file, 'utf-8')).hex;
    if (typeof hex !== 'string') {
        throw new ScriptError(`${file} has no "hex" field`);
    }
    return Cell.fromBoc(Buffer.from(hex, 'hex'))[0];
}

/** The three codes the root hands out, from the build artifacts. */
export function contractCodes(): { proxy: Cell; worker: Cell; client: Cell } {
    return { proxy: compiledCode('CocoonProxy'), worker: compiledCode('CocoonWorker'), client: compiledCode('CocoonClient') };
}
