/** Critical extension carrying the raw quote bytes (COCOON's TDX_QUOTE). */
export const OID_TDX_QUOTE = '1.3.6.1.4.1.12345.1';
/** Critical extension carrying the serialized user claims (COCOON's TDX_USER_CLAIMS). */
export const OID_USER_CLAIMS = '1.3.6.1.4.1.12345.2';
/** id-Ed25519 (RFC 8410): both the key algorithm and the signature algorithm of our certificates. */
export const OID_ED25519 = '1.3.101.112';

/**
 * Critical extensions a peer certificate may carry: the standard ones TLS stacks understand (RFC 5280) and the two
 * COCOON ones. Anything else marked critical is rejected, as OpenSSL would for an unknown critical extension.
 */
export const ALLOWED_CRITICAL_EXTENSIONS: ReadonlySet<string> = new Set([
    '2.5.29.15', // keyUsage
    '2.5.29.17', // subjectAltName
    '2.5.29.19', // basicConstraints
    '2.5.29.37', // extKeyUsage
    OID_TDX_QUOTE,
    OID_USER_CLAIMS,
]);

/** A quote extension larger than this is rejected before parsing (COCOON's limit). */
export const MAX_QUOTE_BYTES = 32 * 1024;
