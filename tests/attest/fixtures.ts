import { readFileSync } from 'fs';
import { join } from 'path';
import { Collateral, parseCollateral } from '../../offchain/attest';

/** Copies of shared/fixtures/tdx (see data/README.md). */
export const FIXTURES = join(__dirname, 'data');
export const QUOTE_FILES = ['quote-a.dat', 'quote-b.dat', 'quote-c.dat'] as const;

export type ExpectedFields = Record<string, unknown> & {
    collateral?: { file: string; verifyAt: string; tcbStatus: string; advisoryIds: string[] };
};

export const expected: Record<string, ExpectedFields> = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));

export function quoteBytes(file: string): Uint8Array {
    return new Uint8Array(readFileSync(join(FIXTURES, file)));
}

export const collateralText = (): string => readFileSync(join(FIXTURES, 'quote-c.collateral.json'), 'utf8');
export const quoteCCollateral = (): Collateral => parseCollateral(collateralText());
export const VERIFY_AT = new Date(expected['quote-c.dat'].collateral!.verifyAt);

/** Expected decoded fields of a fixture, without the collateral sub-object. */
export function expectedFields(file: string): Record<string, unknown> {
    const { collateral: _c, ...fields } = expected[file];
    return fields;
}
