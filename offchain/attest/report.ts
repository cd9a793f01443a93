import { TcbStatus } from './tcbInfo';

/** Names of the checks, in the order a report lists them. */
export const CHECKS = {
    parse: 'parse',
    quoteSignature: 'quote signature',
    qeReportSignature: 'QE report signature',
    qeReportDataBinding: 'QE report data binding',
    pckChain: 'PCK chain',
    rootPin: 'root pin',
    crls: 'CRL signatures and validity',
    pckRevocation: 'PCK revocation',
    tcbInfo: 'TCB info signature and validity',
    qeIdentity: 'QE identity',
    tcbLevel: 'TCB level match',
} as const;

export interface Check {
    name: string;
    ok: boolean;
    detail?: string;
}

/** The outcome of verifyQuote. Decoded fields are present whenever the quote parsed; hex is lowercase. */
export interface QuoteReport {
    /** Every check passed. TCB status acceptability is a policy decision: see acceptsTcb. */
    ok: boolean;
    /** parse, quote signature, QE report signature and binding, PCK chain and root pin all passed. */
    signatureChainValid: boolean;
    version?: number;
    teeType?: number;
    mrTd?: string;
    mrConfigId?: string;
    mrOwner?: string;
    mrOwnerConfig?: string;
    rtmr0?: string;
    rtmr1?: string;
    rtmr2?: string;
    rtmr3?: string;
    reportData?: string;
    tdAttributes?: string;
    xfam?: string;
    mrSeam?: string;
    imageHash?: string;
    /** SHA-384 of the public key of the root the PCK chain ends in (whatever root that is). */
    collateralRootHash?: string;
    /** TD attributes DEBUG bit: the host can read and change the TD's memory. */
    debug?: boolean;
    tcbStatus?: TcbStatus;
    advisoryIds?: string[];
    checks: Check[];
}

/** Production policy: only a platform Intel rates UpToDate. */
export const DEFAULT_ACCEPTED_TCB: readonly TcbStatus[] = ['UpToDate'];

/** True when the report carries a TCB status from collateral and the policy accepts it. */
export function acceptsTcb(report: QuoteReport, accepted: readonly TcbStatus[] = DEFAULT_ACCEPTED_TCB): boolean {
    return report.ok && report.tcbStatus !== undefined && accepted.includes(report.tcbStatus);
}
