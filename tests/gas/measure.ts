import { Transaction } from '@ton/core';

/** Compute-phase gas of a transaction that ran the TVM (what the reference table measures). */
export function computeGas(tx: Transaction): bigint {
    const d = tx.description;
    if (d.type !== 'generic' || d.computePhase.type !== 'vm') {
        throw new Error(`transaction ${tx.lt} has no TVM compute phase`);
    }
    return d.computePhase.gasUsed;
}
