import { randomBytes, webcrypto } from 'crypto';
import { OID_TDX_QUOTE, OID_USER_CLAIMS } from './oids';
import { x509 } from './x509';

export const ED25519 = { name: 'Ed25519' } as const;

export interface CertificateParts {
    keys: webcrypto.CryptoKeyPair;
    notBefore: Date;
    notAfter: Date;
    /** Raw quote for the quote extension; omitted for provider `none`. */
    quote?: Uint8Array;
    /** Serialized claims for the claims extension; omitted for provider `none`. */
    claims?: Uint8Array;
    /** Default Ed25519; another algorithm only to build the non-Ed25519 certificates tests must see rejected. */
    signingAlgorithm?: webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams;
    /** Appended after the standard ones (tests use it for an unknown critical extension). */
    extraExtensions?: x509.Extension[];
}

export interface BuiltCertificate {
    certPem: string;
    certDer: Uint8Array;
    keyPem: string;
}

const SUBJECT = 'CN=localhost, O=COCOON RA-TLS';

// @peculiar/x509 types its API with the DOM's WebCrypto names, which this Node-only project does not load.
type SelfSignedParams = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0];
type X509CryptoKey = Parameters<typeof x509.SubjectKeyIdentifierExtension.create>[0];

/**
 * Assembles and self-signs an RA-TLS certificate exactly as given, without checking that quote, claims and key
 * agree: generateIdentity() is the checked path; this one also builds the forged certificates tests reject.
 * Extension order follows COCOON: quote, claims, basicConstraints, keyUsage, extKeyUsage, SKI, SAN. The SAN keeps
 * COCOON's DNS name "127.0.0.1", which its C++ clients check as a host name.
 */
export async function buildCertificate(parts: CertificateParts): Promise<BuiltCertificate> {
    const extensions: x509.Extension[] = [];
    if (parts.quote) extensions.push(new x509.Extension(OID_TDX_QUOTE, true, parts.quote));
    if (parts.claims) extensions.push(new x509.Extension(OID_USER_CLAIMS, true, parts.claims));
    extensions.push(
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], true),
        await x509.SubjectKeyIdentifierExtension.create(parts.keys.publicKey as X509CryptoKey),
        new x509.SubjectAlternativeNameExtension([
            { type: 'dns', value: 'localhost' },
            { type: 'dns', value: '127.0.0.1' },
            { type: 'ip', value: '::1' },
        ]),
        ...(parts.extraExtensions ?? []),
    );
    const serial = randomBytes(16);
    serial[0] &= 0x7f; // a positive INTEGER
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: serial.toString('hex'),
        name: SUBJECT,
        notBefore: parts.notBefore,
        notAfter: parts.notAfter,
        signingAlgorithm: (parts.signingAlgorithm ?? ED25519) as SelfSignedParams['signingAlgorithm'],
        keys: parts.keys as SelfSignedParams['keys'],
        extensions,
    });
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', parts.keys.privateKey);
    return {
        certPem: cert.toString('pem') + '\n',
        certDer: new Uint8Array(cert.rawData),
        keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n',
    };
}

/** Raw 32-byte Ed25519 public key of a WebCrypto key. */
export async function rawPublicKey(key: webcrypto.CryptoKey): Promise<Uint8Array> {
    return new Uint8Array(await webcrypto.subtle.exportKey('raw', key));
}

export async function generateEd25519Keys(): Promise<webcrypto.CryptoKeyPair> {
    return (await webcrypto.subtle.generateKey(ED25519, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}
