import 'reflect-metadata';
import { createHash, createPublicKey, KeyObject, verify as cryptoVerify } from 'crypto';
import * as x509 from '@peculiar/x509';
import { children, readTlv, splitSigned, tbsAlgorithmMatches } from './der';
import { CertificateParseError } from './errors';
import { BytesMemo } from './memo';

/** An X.509 certificate with the raw parts signature checks need. Parsed with @peculiar/x509, verified with Node. */
export interface Certificate {
    der: Uint8Array;
    tbs: Uint8Array;
    signature: Uint8Array;
    /** DER of the subject and issuer Names, compared byte for byte when chaining. */
    subject: Uint8Array;
    issuer: Uint8Array;
    subjectText: string;
    issuerText: string;
    /** Serial number, lowercase hex without leading zeros. */
    serial: string;
    notBefore: Date;
    notAfter: Date;
    isCa: boolean;
    publicKey: KeyObject;
    /** Uncompressed P-256 point 0x04 ‖ X ‖ Y. */
    publicKeyPoint: Uint8Array;
    /** SHA-384 of publicKeyPoint, hex: the form COCOON pins the Intel root by ("collateral root hash"). */
    keyHash: string;
    x509: x509.X509Certificate;
}

const parsed = new BytesMemo<Certificate>(256);

/** Parses a DER certificate (memoized by its bytes). Throws CertificateParseError naming `what`. */
export function parseCertificate(der: Uint8Array, what: string): Certificate {
    return parsed.get(der, () => parseUncached(new Uint8Array(der), what));
}

function parseUncached(der: Uint8Array, what: string): Certificate {
    const { tbs, algorithm, signature } = splitSigned(der, what);
    if (!tbsAlgorithmMatches(tbs, algorithm, true)) {
        throw new CertificateParseError(`${what}: inner and outer signature algorithms differ`);
    }
    // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, …
    const fields = children(tbs, readTlv(tbs, 0));
    if (fields.length < 7 || fields[0].tag !== 0xa0) throw new CertificateParseError(`${what}: not an X.509 v3 TBSCertificate`);
    let cert: x509.X509Certificate;
    try {
        cert = new x509.X509Certificate(der);
    } catch (e) {
        throw new CertificateParseError(`${what}: ${(e as Error).message}`);
    }
    const { publicKey, point } = p256Key(cert, what);
    const basic = cert.getExtension(x509.BasicConstraintsExtension);
    return {
        der,
        tbs,
        signature,
        issuer: tbs.subarray(fields[3].start, fields[3].end),
        subject: tbs.subarray(fields[5].start, fields[5].end),
        subjectText: cert.subject,
        issuerText: cert.issuer,
        serial: normalizeSerial(cert.serialNumber),
        notBefore: cert.notBefore,
        notAfter: cert.notAfter,
        isCa: basic?.ca === true,
        publicKey,
        publicKeyPoint: point,
        keyHash: createHash('sha384').update(point).digest('hex'),
        x509: cert,
    };
}

function p256Key(cert: x509.X509Certificate, what: string): { publicKey: KeyObject; point: Uint8Array } {
    let publicKey: KeyObject;
    try {
        publicKey = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' });
    } catch (e) {
        throw new CertificateParseError(`${what}: bad public key: ${(e as Error).message}`);
    }
    if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
        throw new CertificateParseError(`${what}: public key is not ECDSA P-256`);
    }
    const jwk = publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
    return { publicKey, point: new Uint8Array(point) };
}

export function normalizeSerial(hex: string): string {
    return hex.toLowerCase().replace(/^0+(?=.)/, '');
}

/** ECDSA-SHA256 over the TBS with a DER signature, as in X.509 certificates and CRLs. */
export function signedBy(item: { tbs: Uint8Array; signature: Uint8Array }, key: KeyObject): boolean {
    try {
        return cryptoVerify('sha256', item.tbs, { key, dsaEncoding: 'der' }, item.signature);
    } catch {
        return false;
    }
}

/** ECDSA-SHA256 with a raw 64-byte r ‖ s signature, as in quotes, TCB info and QE identity. */
export function verifyRawSignature(data: Uint8Array, signature: Uint8Array, key: KeyObject): boolean {
    if (signature.length !== 64) return false;
    try {
        return cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
        return false;
    }
}

const rawKeys = new BytesMemo<KeyObject>(256);

/**
 * Public key from a raw 64-byte X ‖ Y P-256 point (the quote's attestation key), memoized by the point: importing
 * costs about as much as verifying a signature, and a platform's quotes all carry its QE's one attestation key.
 */
export function p256KeyFromRaw(xy: Uint8Array): KeyObject {
    return rawKeys.get(xy, () => importRawKey(xy));
}

function importRawKey(xy: Uint8Array): KeyObject {
    return createPublicKey({
        key: {
            kty: 'EC',
            crv: 'P-256',
            x: Buffer.from(xy.subarray(0, 32)).toString('base64url'),
            y: Buffer.from(xy.subarray(32, 64)).toString('base64url'),
        },
        format: 'jwk',
    });
}
