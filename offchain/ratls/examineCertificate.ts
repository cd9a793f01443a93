import { createPublicKey, KeyObject, timingSafeEqual, verify } from 'crypto';
import { claimsReportData, parseClaims, type UserClaims } from './claims';
import { fakeQuoteEvidence, quoteProvider } from './fakeQuote';
import { ALLOWED_CRITICAL_EXTENSIONS, MAX_QUOTE_BYTES, OID_ED25519 } from './oids';
import type { ParsedCertificate } from './parseCertificate';
import type { CheckResult, ClaimsView, ProviderName, QuoteEvidence } from './report';

/** Verifies a TDX quote's signature chain (and TCB, given collateral) at a time; offchain/attest provides it. */
export type TdxQuoteVerifier = (quote: Uint8Array, at: Date) => QuoteEvidence | Promise<QuoteEvidence>;

/** What a certificate proves by itself, whatever the policy: cached per certificate until it expires. */
export interface CertificateFacts {
    fingerprint: string;
    provider: ProviderName;
    publicKey: string;
    notBefore: Date;
    notAfter: Date;
    selfIssued: boolean;
    claims?: ClaimsView;
    quote?: QuoteEvidence;
    /** Policy-independent checks, by name. */
    checks: Map<string, CheckResult>;
}

const NOT_APPLICABLE = 'not applicable: no quote (provider none)';

/** Parses the certificate and runs every check that does not depend on the policy or the clock. */
export async function examineCertificate(parsed: ParsedCertificate, verifyTdxQuote: TdxQuoteVerifier, at: Date): Promise<CertificateFacts> {
    const checks = new Map<string, CheckResult>();
    const put = (name: string, ok: boolean, detail?: string) => checks.set(name, detail === undefined ? { name, ok } : { name, ok, detail });

    const ed25519 = parsed.keyAlgorithm === OID_ED25519 && parsed.signatureAlgorithm === OID_ED25519 && parsed.publicKey.length === 32;
    put('ed25519Key', ed25519, ed25519 ? undefined : `key algorithm ${parsed.keyAlgorithm}, signature algorithm ${parsed.signatureAlgorithm}; only Ed25519 (${OID_ED25519}) is accepted`);
    if (!ed25519) put('selfSigned', false, 'not checked: not an Ed25519 certificate');
    else if (!parsed.selfIssued) put('selfSigned', false, 'issuer differs from subject');
    else if (!verifySelfSignature(parsed)) put('selfSigned', false, 'signature does not verify with the certificate key');
    else put('selfSigned', true);
    const unknown = parsed.extensions.filter((e) => e.critical && !ALLOWED_CRITICAL_EXTENSIONS.has(e.oid)).map((e) => e.oid);
    put('criticalExtensions', unknown.length === 0, unknown.length === 0 ? undefined : `unknown critical extension ${unknown.join(', ')}`);

    const provider = quoteProvider(parsed.quote);
    const facts: CertificateFacts = {
        fingerprint: parsed.fingerprint,
        provider,
        publicKey: hex(parsed.publicKey),
        notBefore: parsed.notBefore,
        notAfter: parsed.notAfter,
        selfIssued: parsed.selfIssued,
        checks,
    };
    if (provider === 'none') {
        const stray = parsed.claims !== undefined;
        put('claims', !stray, stray ? 'claims extension without a quote extension' : NOT_APPLICABLE);
        for (const name of ['claimsKey', 'claimsTime', 'reportData', 'quote']) put(name, true, NOT_APPLICABLE);
        return facts;
    }

    let claims: UserClaims | undefined;
    if (!parsed.claims) {
        put('claims', false, 'quote extension without a claims extension');
    } else {
        try {
            claims = parseClaims(parsed.claims);
            facts.claims = claimsView(claims);
            put('claims', true);
        } catch (e) {
            put('claims', false, (e as Error).message);
        }
    }
    if (claims) {
        const same = equal(claims.publicKey, parsed.publicKey);
        put('claimsKey', same, same ? undefined : `claims bind key ${hex(claims.publicKey)}, certificate key is ${hex(parsed.publicKey)}`);
        if (claims.issuedAt === undefined) {
            put('claimsTime', true, 'version 0 claims carry no time');
        } else {
            const t = claims.issuedAt * 1000;
            const inside = t >= parsed.notBefore.getTime() && t <= parsed.notAfter.getTime();
            put('claimsTime', inside, inside ? undefined : `claims issued at ${new Date(t).toISOString()}, outside the certificate validity`);
        }
    } else {
        put('claimsKey', false, 'no valid claims');
        put('claimsTime', false, 'no valid claims');
    }

    const quote = parsed.quote as Uint8Array;
    facts.quote = await quoteEvidence(provider, quote, verifyTdxQuote, at, put);
    if (facts.quote && parsed.claims) {
        const expected = hex(claimsReportData(parsed.claims));
        const bound = facts.quote.reportData === expected;
        put('reportData', bound, bound ? undefined : `quote REPORTDATA ${facts.quote.reportData} ≠ SHA-512(claims) ${expected}`);
    } else {
        put('reportData', false, facts.quote ? 'no claims to bind' : 'no verified quote');
    }
    return facts;
}

async function quoteEvidence(
    provider: ProviderName,
    quote: Uint8Array,
    verifyTdxQuote: TdxQuoteVerifier,
    at: Date,
    put: (name: string, ok: boolean, detail?: string) => void,
): Promise<QuoteEvidence | undefined> {
    if (provider === 'fake') {
        put('quote', true, 'fake quote: unsigned, all measurements zero');
        return fakeQuoteEvidence(quote);
    }
    if (quote.length > MAX_QUOTE_BYTES) {
        put('quote', false, `quote is ${quote.length} bytes, more than ${MAX_QUOTE_BYTES}`);
        return undefined;
    }
    let evidence: QuoteEvidence;
    try {
        evidence = await verifyTdxQuote(quote, at);
    } catch (e) {
        put('quote', false, `quote rejected: ${(e as Error).message}`);
        return undefined;
    }
    const failed = evidence.checks.filter((c) => !c.ok).map((c) => (c.detail ? `${c.name} (${c.detail})` : c.name));
    const ok = evidence.ok && evidence.signatureChainValid && failed.length === 0;
    put('quote', ok, ok ? undefined : `quote verification failed: ${failed.join('; ') || 'signature chain not valid'}`);
    return evidence;
}

function verifySelfSignature(parsed: ParsedCertificate): boolean {
    try {
        return verify(null, parsed.tbs, ed25519Key(parsed.spki), parsed.signature);
    } catch {
        return false;
    }
}

/** DER of an Ed25519 SubjectPublicKeyInfo up to the 32 key bytes (RFC 8410: no algorithm parameters). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The certificate's key. OpenSSL's DER decoder takes ~110 µs for an SPKI, more than the signature check; the same
 * key from its 32 bytes as a JWK ~8 µs. Only the canonical SPKI, whose key is exactly those bytes, takes that path.
 */
function ed25519Key(spki: Uint8Array): KeyObject {
    if (spki.length === ED25519_SPKI_PREFIX.length + 32 && ED25519_SPKI_PREFIX.equals(spki.subarray(0, ED25519_SPKI_PREFIX.length))) {
        const x = Buffer.from(spki.buffer, spki.byteOffset + ED25519_SPKI_PREFIX.length, 32).toString('base64url');
        return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    }
    return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
}

function claimsView(claims: UserClaims): ClaimsView {
    const extra: Record<string, string> = {};
    for (const [k, v] of Object.entries(claims.extra)) extra[k] = hex(v);
    return { version: claims.version, publicKey: hex(claims.publicKey), issuedAt: claims.issuedAt, extra };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
    return a.length === b.length && timingSafeEqual(a, b);
}

function hex(bytes: Uint8Array): string {
    return Buffer.from(bytes).toString('hex');
}
