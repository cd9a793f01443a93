import { join } from 'path';
import { Cell } from '@ton/core';
import { CocoonContractName, compiledCode as loadCompiledCode, MissingBuildError } from '../../wrappers/compiled';

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

/** A contract's code from the build directory, as a script error when it is missing. */
export function compiledCode(name: CocoonContractName): Cell {
    try {
        return loadCompiledCode(name, buildDir());
    } catch (e) {
        if (e instanceof MissingBuildError) throw new ScriptError(e.message);
        throw e;
    }
}

/** The three codes the root hands out, from the build artifacts. */
export function contractCodes(): { proxy: Cell; worker: Cell; client: Cell } {
    return { proxy: compiledCode('CocoonProxy'), worker: compiledCode('CocoonWorker'), client: compiledCode('CocoonClient') };
}
