import { Cell, Transaction } from '@ton/core';

/** What happened in one transaction, in the terms an operator reads: did it succeed, and if not, where. */
export interface TxOutcome {
    success: boolean;
    /** Compute-phase exit code; null when the compute phase was skipped. */
    exitCode: number | null;
    /** Action-phase result code; null when there was no action phase. */
    actionResultCode: number | null;
    /** Why the compute phase was skipped ("no-state", "bad-state", "no-gas"), if it was. */
    skipped: string | null;
    aborted: boolean;
}

export function transactionOutcome(tx: Transaction): TxOutcome {
    const d = tx.description;
    if (d.type !== 'generic' && d.type !== 'tick-tock') {
        return { success: true, exitCode: null, actionResultCode: null, skipped: null, aborted: false };
    }
    const compute = d.computePhase;
    const exitCode = compute.type === 'vm' ? compute.exitCode : null;
    const skipped = compute.type === 'skipped' ? compute.reason : null;
    const actionResultCode = d.actionPhase ? d.actionPhase.resultCode : null;
    const success = !d.aborted && compute.type === 'vm' && compute.success && (d.actionPhase?.success ?? true);
    return { success, exitCode, actionResultCode, skipped, aborted: d.aborted };
}

/** "ok", "exit=N", "action=N" or "skipped(reason)": one word for logs. */
export function describeOutcome(o: TxOutcome): string {
    if (o.success) return 'ok';
    if (o.skipped !== null) return `skipped(${o.skipped})`;
    if (o.exitCode !== null && o.exitCode !== 0 && o.exitCode !== 1) return `exit=${o.exitCode}`;
    if (o.actionResultCode !== null && o.actionResultCode !== 0) return `action=${o.actionResultCode}`;
    return 'aborted';
}

/** The 32-bit op of a message body, or null for an empty body. */
export function messageOp(body: Cell): number | null {
    const s = body.beginParse();
    return s.remainingBits >= 32 ? s.preloadUint(32) : null;
}

export function formatOp(op: number | null): string {
    return op === null ? 'empty' : '0x' + op.toString(16).padStart(8, '0');
}
