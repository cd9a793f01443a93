import { ChangeParamsFields } from '../../wrappers/root';
import { ArgReader } from './args';
import { ScriptError } from './codes';

/** A worker fee above the price makes every worker payout fail on-chain (negative proxy part). */
export function checkFee(pricePerToken: bigint, workerFeePerToken: bigint): void {
    if (workerFeePerToken > pricePerToken) {
        throw new ScriptError(`worker fee ${workerFeePerToken} exceeds the price ${pricePerToken}: workers could never be paid`);
    }
}

/** Prices, delays and stakes in COCOON's change_params order, validated. */
export async function readChangeParams(a: ArgReader): Promise<ChangeParamsFields> {
    const pricePerToken = await a.nano('price per token');
    const workerFeePerToken = await a.nano('worker fee per token');
    checkFee(pricePerToken, workerFeePerToken);
    return {
        pricePerToken,
        workerFeePerToken,
        proxyDelayBeforeClose: await a.smallUint('proxy delay before close (s)', 32),
        clientDelayBeforeClose: await a.smallUint('client delay before close (s)', 32),
        minProxyStake: await a.coins('min proxy stake'),
        minClientStake: await a.coins('min client stake'),
    };
}
