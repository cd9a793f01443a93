import { bytesEqual } from './hex';
import { Certificate, parseCertificate } from './certificate';
import { BytesMemo } from './memo';
import { decodePemChain } from './pem';
import type { Signatures } from './signatureCache';

/** SHA-384 of the Intel SGX Root CA public key (0x04 ‖ X ‖ Y). */
export const INTEL_SGX_ROOT_KEY_SHA384 =
    '46e403bd34f05a3f2817ab9badcaacc7ffc98e0f261008cd30dae936cace18d5dcf58eef31463613de1570d516200993';

const chains = new BytesMemo<readonly Certificate[]>(64);

/** Decodes a PEM chain into certificates, leaf first (memoized by its exact text). Throws CertificateParseError. */
export function parseChain(pem: Uint8Array | string, what: string): readonly Certificate[] {
    return chains.get(pem, () => decodePemChain(pem, what).map((der, i) => parseCertificate(der, `${what} certificate ${i + 1}`)));
}

/**
 * Checks a chain ordered leaf → … → self-signed root: names chain, each certificate is signed by the next, issuers
 * are CAs, every certificate is valid at `at`. Returns the reason of the first failure, or undefined.
 * Whether the root is the right one is a separate check (the pin).
 */
export function chainFailure(certs: readonly Certificate[], at: Date, what: string, sigs: Signatures): string | undefined {
    if (certs.length < 2) return `${what}: expected a leaf and a root, got ${certs.length} certificate(s)`;
    for (let i = 0; i < certs.length; i++) {
        const cert = certs[i];
        const issuer = certs[Math.min(i + 1, certs.length - 1)];
        const label = () => `${what} certificate ${i + 1} (${cert.subjectText})`;
        if (!bytesEqual(cert.issuer, issuer.subject)) return `${label()}: issuer name does not match the next certificate`;
        if (!issuer.isCa) return `${label()}: issuer is not a CA`;
        if (!sigs.signedBy(cert, issuer)) return `${label()}: signature does not verify`;
        if (at < cert.notBefore || at > cert.notAfter) {
            return `${label()}: not valid at ${at.toISOString()} (valid ${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`;
        }
    }
    return undefined;
}
