import 'reflect-metadata';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { createHash } from 'crypto';
import { children, readTlv, tbsAlgorithmMatches } from '../attest/der';
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
    /** SubjectPublicKeyInfo DER, for importing the key. */
    spki: Uint8Array;
    /** TBSCertificate exactly as it stands in the DER, and the signature over it. */
    tbs: Uint8Array;
    signature: Uint8Array;
}

/**
 * Parses a peer certificate from DER. Not with Node's X509Certificate: given bytes that contain a PEM block
 * anywhere (a TDX quote embeds its PCK chain as PEM), it parses that embedded certificate instead.
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
    let cert: Certificate;
    let signed: { tbs: Uint8Array; signature: Uint8Array };
    try {
        signed = splitCertificate(der);
        cert = AsnConvert.parse(der, Certificate);
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
        spki: new Uint8Array(AsnConvert.serialize(tbs.subjectPublicKeyInfo)),
        ...signed,
    };
}

/** TBS and signature bytes as they stand; one SEQUENCE, nothing after it, same algorithm inside and outside. */
function splitCertificate(der: Uint8Array): { tbs: Uint8Array; signature: Uint8Array } {
    const outer = readTlv(der, 0);
    if (outer.tag !== 0x30 || outer.end !== der.length) throw new Error('not a single DER SEQUENCE');
    const [tbs, algorithm, bits, ...rest] = children(der, outer);
    if (!bits || rest.length > 0 || tbs.tag !== 0x30 || algorithm.tag !== 0x30 || bits.tag !== 0x03 || der[bits.contentStart] !== 0) {
        throw new Error('expected SEQUENCE { tbsCertificate, signatureAlgorithm, signature BIT STRING }');
    }
    const tbsBytes = der.subarray(tbs.start, tbs.end);
    if (!tbsAlgorithmMatches(tbsBytes, der.subarray(algorithm.start, algorithm.end), true)) {
        throw new Error('signature algorithm differs inside and outside the TBS');
    }
    return { tbs: tbsBytes, signature: der.subarray(bits.contentStart + 1, bits.end) };
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
