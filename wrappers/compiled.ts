import { Cell } from '@ton/core';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

export type CocoonContractName = 'CocoonRoot' | 'CocoonProxy' | 'CocoonClient' | 'CocoonWorker' | 'CocoonWallet';

/** Where `npx blueprint build --all` writes its artifacts. */
export const DEFAULT_BUILD_DIR = join(__dirname, '..', 'build');

export class MissingBuildError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'MissingBuildError';
    }
}

/** A contract's code from Blueprint's artifact `<buildDir>/<Name>.compiled.json`. */
export function compiledCode(name: CocoonContractName, buildDir = DEFAULT_BUILD_DIR): Cell {
    const file = join(buildDir, `${name}.compiled.json`);
    if (!existsSync(file)) {
        throw new MissingBuildError(`${file} is missing: build the contracts first (npx blueprint build --all)`);
    }
    let hex: unknown;
    try {
        hex = JSON.parse(readFileSync(file, 'utf8')).hex;
    } catch (e) {
        throw new MissingBuildError(`${file} is not a Blueprint artifact: ${(e as Error).message}`);
    }
    if (typeof hex !== 'string') throw new MissingBuildError(`${file} has no "hex" field`);
    return Cell.fromHex(hex);
}
