import { createHash } from 'crypto';
import { RatlsVerificationError } from './errors';
import { examineCertificate, type CertificateFacts, type TdxQuoteVerifier } from './examineCertificate';
import { parseCertificate, type ParsedCertificate } from './parseCertificate';
import { DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_MAX_VALIDITY_SECONDS, tcbRank, validatePolicy, type ImageHashSource, type RatlsPolicy } from './policy';
import { firstFailure, type CheckResult, type RatlsReport } from './report';
import { attestQuoteVerifier } from './tdxQuoteVerifier';
import { VerificationCache } from './verificationCache';

/** Every check a report lists, in this order. */
export const CHECK_ORDER = [
    'format',
    'chainDepth',
    'ed25519Key',
    'selfSigned',
    'criticalExtensions',
    'validity',
    'provider',
    'claims',
    'claimsKey',
    'claimsTime',
    'quote',
    'reportData',
    'imageHash',
    'mrTd',
    'rtmr',
    'tcbStatus',
    'debug',
] as const;

export interface PeerVerifierOptions {
    policy: RatlsPolicy;
    /** Verifies `tdx` quotes; default offchain/attest's verifier without collateral (so no TCB status). */
    verifyTdxQuote?: TdxQuoteVerifier;
    /** true (default): a private cache; false: verify every time; or a cache shared between verifiers of one policy family. */
    cache?: boolean | VerificationCache<CertificateFacts>;
    clock?: () => Date;
}

export interface VerifyContext {
    /** Certificates the peer presented (depth 0 only: must be 1). */
    chainLength?: number;
}

/**
 * Checks peer certificates against a policy. Certificate-level results (parsing, signatures, key binding, quote
 * verification) are cached by fingerprint until notAfter; the policy part (validity, provider, allowlists, TCB,
 * DEBUG) is evaluated on every call, so a changed image-hash list takes effect at once.
 */
export class PeerVerifier {
    readonly policy: RatlsPolicy;
    private readonly verifyTdxQuote: TdxQuoteVerifier;
    private readonly cache?: VerificationCache<CertificateFacts>;
    private readonly clock: () => Date;

    constructor(options: PeerVerifierOptions) {
        validatePolicy(options.policy);
        this.policy = options.policy;
        this.verifyTdxQuote = options.verifyTdxQuote ?? attestQuoteVerifier();
        this.cache = options.cache === false ? undefined : options.cache === undefined || options.cache === true ? new VerificationCache() : options.cache;
        this.clock = options.clock ?? (() => new Date());
    }

    /** The full report; `ok` tells whether the certificate is accepted. Never throws for a bad certificate. */
    async verify(der: Uint8Array, context: VerifyContext = {}): Promise<RatlsReport> {
        const now = this.clock();
        const fingerprint = createHash('sha256').update(der).digest('hex');
        let facts = this.cache?.get(fingerprint, now);
        const cached = facts !== undefined;
        if (!facts) {
            let parsed: ParsedCertificate;
            try {
                parsed = parseCertificate(der);
            } catch (e) {
                const checks = [{ name: 'format', ok: false, detail: (e as Error).message }];
                return { ok: false, fingerprint, checks, cached: false };
            }
            facts = await examineCertificate(parsed, this.verifyTdxQuote, now);
            this.cache?.set(fingerprint, facts, facts.notAfter);
        }
        const checks = await this.policyChecks(facts, context, now);
        const ordered = CHECK_ORDER.map((name) => (name === 'format' ? { name, ok: true } : (checks.get(name) ?? facts!.checks.get(name)!)));
        return {
            ok: ordered.every((c) => c.ok),
            fingerprint,
            provider: facts.provider,
            publicKey: facts.publicKey,
            notBefore: facts.notBefore.toISOString(),
            notAfter: facts.notAfter.toISOString(),
            claims: facts.claims,
            quote: facts.quote,
            checks: ordered,
            cached,
        };
    }

    /** The report when accepted; otherwise RatlsVerificationError naming the first failed check. */
    async verifyOrThrow(der: Uint8Array, context: VerifyContext = {}): Promise<RatlsReport> {
        const report = await this.verify(der, context);
        const failed = firstFailure(report);
        if (failed) throw new RatlsVerificationError(failed.name, failed.detail ?? 'failed', report);
        return report;
    }

    private async policyChecks(facts: CertificateFacts, context: VerifyContext, now: Date): Promise<Map<string, CheckResult>> {
        const policy = this.policy;
        const checks = new Map<string, CheckResult>();
        const put = (name: string, ok: boolean, detail?: string) => checks.set(name, detail === undefined ? { name, ok } : { name, ok, detail });

        const depth = context.chainLength ?? 1;
        put('chainDepth', depth === 1 && facts.selfIssued, depth !== 1 ? `peer presented ${depth} certificates, only a single self-signed one is accepted` : facts.selfIssued ? undefined : 'certificate is not self-issued');

        const skew = (policy.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000;
        const maxValidity = (policy.maxValiditySeconds ?? DEFAULT_MAX_VALIDITY_SECONDS) * 1000;
        const span = facts.notAfter.getTime() - facts.notBefore.getTime();
        if (now.getTime() + skew < facts.notBefore.getTime()) put('validity', false, `not valid before ${facts.notBefore.toISOString()}`);
        else if (now.getTime() > facts.notAfter.getTime()) put('validity', false, `expired at ${facts.notAfter.toISOString()}`);
        else if (span > maxValidity) put('validity', false, `validity of ${span / 1000} s exceeds ${maxValidity / 1000} s`);
        else put('validity', true);

        const allowed = policy.providers.includes(facts.provider);
        put('provider', allowed, allowed ? facts.provider : `provider ${facts.provider} not accepted by policy "${policy.name}" (accepts ${policy.providers.join(', ')})`);

        const quote = facts.quote;
        if (facts.provider === 'none') {
            for (const name of ['imageHash', 'mrTd', 'rtmr', 'tcbStatus', 'debug']) put(name, true, 'not applicable: no quote (provider none)');
            return checks;
        }
        if (!quote) {
            for (const name of ['imageHash', 'mrTd', 'rtmr', 'tcbStatus', 'debug']) put(name, false, 'no verified quote');
            return checks;
        }
        if (!policy.imageHashes) {
            put('imageHash', true, `${quote.imageHash} (policy allows any image)`);
        } else {
            const list = await allowedImageHashes(policy.imageHashes);
            if (list instanceof Error) put('imageHash', false, `allowed image hashes unavailable: ${list.message}`);
            else if (list.has(quote.imageHash)) put('imageHash', true, quote.imageHash);
            else put('imageHash', false, `image hash ${quote.imageHash} is not allowed by policy "${policy.name}"`);
        }
        if (!policy.mrTds?.length) put('mrTd', true, 'policy allows any MRTD');
        else put('mrTd', policy.mrTds.includes(quote.mrTd), policy.mrTds.includes(quote.mrTd) ? undefined : `MRTD ${quote.mrTd} is not allowed`);
        if (!policy.rtmrs?.length) {
            put('rtmr', true, 'policy allows any RTMRs');
        } else {
            const actual = [quote.rtmr0, quote.rtmr1, quote.rtmr2, quote.rtmr3];
            const ok = policy.rtmrs.some((t) => t.every((v, i) => v === actual[i]));
            put('rtmr', ok, ok ? undefined : 'RTMR0..3 match no allowed tuple');
        }
        if (!policy.minTcbStatus || facts.provider !== 'tdx') {
            put('tcbStatus', true, policy.minTcbStatus ? 'not applicable: fake quote' : 'policy sets no TCB minimum');
        } else if (!quote.tcbStatus) {
            put('tcbStatus', false, `no TCB status (collateral missing); policy requires ${policy.minTcbStatus}`);
        } else {
            const rank = tcbRank(quote.tcbStatus);
            const ok = rank >= 0 && rank <= tcbRank(policy.minTcbStatus);
            put('tcbStatus', ok, ok ? quote.tcbStatus : `TCB status ${quote.tcbStatus} is below ${policy.minTcbStatus}`);
        }
        const debugOk = !quote.debug || policy.allowDebug === true;
        put('debug', debugOk, quote.debug ? (debugOk ? 'DEBUG TD allowed by policy' : 'TD has the DEBUG attribute set') : undefined);
        return checks;
    }
}

/** The policy's image hashes, lowercased; an error from the source (e.g. the root unreachable) fails closed. */
async function allowedImageHashes(source: ImageHashSource): Promise<Set<string> | Error> {
    try {
        return new Set(Array.from(await source(), (h) => h.toLowerCase()));
    } catch (e) {
        return e instanceof Error ? e : new Error(String(e));
    }
}
