import { parseCollateral, type Collateral } from '../../attest';
import { MiB, readInputFile } from '../../runtime/inputFile';
import { CliInputError } from '../errors';

/** Intel collateral is tens of KB (CRLs, TCB info, QE identity); a large platform CRL stays far below this. */
const MAX_COLLATERAL_BYTES = 8 * MiB;

/** Reads `--collateral <json>` for `attest quote` and `attest cert`; any fault is bad input naming the file. */
export function readCollateralFile(file: string): Collateral {
    const text = readInputFile(file, 'collateral', MAX_COLLATERAL_BYTES).toString('utf8');
    try {
        return parseCollateral(text);
    } catch (e) {
        throw new CliInputError(`collateral ${file}: ${(e as Error).message}`);
    }
}
