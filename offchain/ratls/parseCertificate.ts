import 'reflect-metadata';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { createHash, X509Certificate as NodeX509 } from 'crypto';
import { CertificateFormatError } from './errors';
import { OID_TDX_QUOTE, OID_USER_CLAIMS } from './oids';

export interface CertificateExtension {
    oid: string;
    critical: boolean;
    value: Uint8Array;
}

/** The parts of a peer certificate the RA-TLS checks look at. */
export interface ParsedCertificate {
    der: Uint8Array;
    /** SHA-256 of the DER, hex. */
    fingerprint: string;
    selfIssued: boolean;
    keyAlgorithm: string;
    signatureAlgorithm: string;
    /** subjectPublicKey bits (32 bytes for Ed25519). */
    publicKey: Uint8Array;
    notBefore: Date;
    notAfter: Date;
    extensions: CertificateExtension[];
    quote?: Uint8Array;
    claims?: Uint8Array;
    /** Node's view, used to check the self-signature over the original bytes. */
    node: NodeX509;
}

export function parseCertificate(der: Uint8Array): ParsedCertificate {
    let cert: Certificate;
    let node: NodeX509;
    try {
        cert = AsnConvert.parse(der, Certificate);
        node = new NodeX509(der);
    } catch (e) {
        throw new CertificateFormatError(`not a DER X.509 certificate: ${(e as Error).message}`);
    }
    const tbs = cert.tbsCertificate;
    const extensions = (tbs.extensions ?? []).map((e) => ({
        oid: e.extnID,
        critical: e.critical,
        value: new Uint8Array(e.extnValue.buffer),
    }));
    const single = (oid: string): Uint8Array | undefined => {
        const found = extensions.filter((e) => e.oid === oid);
        if (found.length > 1) throw new CertificateFormatError(`extension ${oid} appears ${found.length} times`);
        return found[0]?.value;
    };
    return {
        der,
        fingerprint: createHash('sha256').update(der).digest('hex'),
        selfIssued: Buffer.from(AsnConvert.serialize(tbs.issuer)).equals(Buffer.from(AsnConvert.serialize(tbs.subject))),
        keyAlgorithm: tbs.subjectPublicKeyInfo.algorithm.algorithm,
        signatureAlgorithm: cert.signatureAlgorithm.algorithm,
        publicKey: new Uint8Array(tbs.subjectPublicKeyInfo.subjectPublicKey),
        notBefore: tbs.validity.notBefore.getTime(),
        notAfter: tbs.validity.notAfter.getTime(),
        extensions,
        quote: single(OID_TDX_QUOTE),
        claims: single(OID_USER_CLAIMS),
        node,
    };
}

/** DER of the first certificate in a PEM text. */
export function pemToDer(pem: string): Uint8Array {
    const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
    if (!match) throw new CertificateFormatError('no PEM certificate found');
    return new Uint8Array(Buffer.from(match[1].replace(/\s+/g, ''), 'base64'));
}

/** Number of certificates in a PEM text (a peer certificate file must hold exactly one). */
export function countPemCertificates(pem: string): number {
    return (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
}
