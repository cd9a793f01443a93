/** Where a certificate's quote comes from: real TDX (configfs-tsm), the 64-byte test stand-in, or no quote at all. */
export type ProviderName = 'tdx' | 'fake' | 'none';
export const PROVIDER_NAMES: readonly ProviderName[] = ['tdx', 'fake', 'none'];

export interface CheckResult {
    name: string;
    ok: boolean;
    detail?: string;
}

/**
 * What the policy needs from a verified quote, hex lowercase. The quote verifier of offchain/attest returns a
 * superset of this; the fake provider builds one with all registers zero.
 */
export interface QuoteEvidence {
    ok: boolean;
    checks: CheckResult[];
    mrTd: string;
    mrConfigId: string;
    mrOwner: string;
    mrOwnerConfig: string;
    rtmr0: string;
    rtmr1: string;
    rtmr2: string;
    rtmr3: string;
    reportData: string;
    tdAttributes: string;
    imageHash: string;
    debug: boolean;
    signatureChainValid: boolean;
    tcbStatus?: string;
    advisoryIds?: string[];
}

/** The claims as the report shows them: bytes in hex. */
export interface ClaimsView {
    version: number;
    publicKey: string;
    issuedAt?: number;
    extra: Record<string, string>;
}

/** Result of verifying one peer certificate against a policy: every check in order, and what was decoded. */
export interface RatlsReport {
    ok: boolean;
    /** SHA-256 of the certificate DER, hex. */
    fingerprint: string;
    provider?: ProviderName;
    /** Raw Ed25519 public key of the certificate, hex. */
    publicKey?: string;
    notBefore?: string;
    notAfter?: string;
    claims?: ClaimsView;
    quote?: QuoteEvidence;
    checks: CheckResult[];
    /** True when the certificate-level checks came from the verification cache. */
    cached: boolean;
}

/** First failed check of a report, if any. */
export function firstFailure(report: RatlsReport): CheckResult | undefined {
    return report.checks.find((c) => !c.ok);
}
