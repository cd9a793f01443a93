import { createHash } from 'crypto';
import { children, readTlv, type Tlv } from '../attest/der';
import { decodeOid } from '../attest/pckExtension';
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

const SEQUENCE = 0x30;

/**
 * Parses a peer certificate with a strict DER walk (no re-encoding: what is checked is what was signed).
 * Not with Node's X509Certificate: given bytes that contain a PEM block anywhere (a TDX quote embeds its PCK chain
 * as PEM), it parses that embedded certificate instead.
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
    try {
        return parseDer(der);
    } catch (e) {
        throw new CertificateFormatError(`not a DER X.509 certificate: ${(e as Error).message}`);
    }
}

function parseDer(der: Uint8Array): ParsedCertificate {
    const outer = readTlv(der, 0);
    if (outer.tag !== SEQUENCE || outer.end !== der.length) throw new Error('not a single DER SEQUENCE');
    const [tbsTlv, algTlv, bits, ...rest] = children(der, outer);
    if (!bits || rest.length > 0 || tbsTlv.tag !== SEQUENCE || algTlv.tag !== SEQUENCE || bits.tag !== 0x03 || der[bits.contentStart] !== 0) {
        throw new Error('expected SEQUENCE { tbsCertificate, signatureAlgorithm, signature BIT STRING }');
    }
    const tbs = der.subarray(tbsTlv.start, tbsTlv.end);
    const fields = children(tbs, readTlv(tbs, 0));
    const [version, serial, innerAlg, issuer, validity, subject, spkiTlv, ...optional] = fields;
    if (version?.tag !== 0xa0) throw new Error('not an X.509 v3 certificate');
    const tags = [serial, innerAlg, issuer, validity, subject, spkiTlv].map((t) => t?.tag);
    if (tags.join() !== [0x02, SEQUENCE, SEQUENCE, SEQUENCE, SEQUENCE, SEQUENCE].join()) throw new Error('malformed TBSCertificate');
    const bytes = (buf: Uint8Array, t: Tlv) => buf.subarray(t.start, t.end);
    if (!Buffer.from(bytes(tbs, innerAlg)).equals(Buffer.from(bytes(der, algTlv)))) throw new Error('signature algorithm differs inside and outside the TBS');

    const [notBefore, notAfter, ...moreTimes] = children(tbs, validity);
    if (!notAfter || moreTimes.length > 0) throw new Error('validity must hold two times');
    const [keyAlg, keyBits] = children(tbs, spkiTlv);
    if (keyAlg?.tag !== SEQUENCE || keyBits?.tag !== 0x03 || tbs[keyBits.contentStart] !== 0) throw new Error('malformed SubjectPublicKeyInfo');

    const extensions = parseExtensions(tbs, optional);
    const single = (oid: string): Uint8Array | undefined => {
        const found = extensions.filter((e) => e.oid === oid);
        if (found.length > 1) throw new Error(`extension ${oid} appears ${found.length} times`);
        return found[0]?.value;
    };
    return {
        der,
        fingerprint: createHash('sha256').update(der).digest('hex'),
        selfIssued: Buffer.from(bytes(tbs, issuer)).equals(Buffer.from(bytes(tbs, subject))),
        keyAlgorithm: algorithmOid(tbs, keyAlg),
        signatureAlgorithm: algorithmOid(der, algTlv),
        publicKey: tbs.subarray(keyBits.contentStart + 1, keyBits.end),
        notBefore: parseTime(tbs, notBefore),
        notAfter: parseTime(tbs, notAfter),
        extensions,
        quote: single(OID_TDX_QUOTE),
        claims: single(OID_USER_CLAIMS),
        spki: bytes(tbs, spkiTlv),
        tbs,
        signature: der.subarray(bits.contentStart + 1, bits.end),
    };
}

/** [1] issuerUniqueID and [2] subjectUniqueID are tolerated; [3] holds SEQUENCE OF Extension. */
function parseExtensions(tbs: Uint8Array, optional: Tlv[]): CertificateExtension[] {
    const wrapper = optional.find((t) => t.tag === 0xa3);
    if (optional.some((t) => t.tag !== 0xa3 && t.tag !== 0x81 && t.tag !== 0x82)) throw new Error('unexpected field after SubjectPublicKeyInfo');
    if (!wrapper) return [];
    const [list, ...extra] = children(tbs, wrapper);
    if (list?.tag !== SEQUENCE || extra.length > 0) throw new Error('malformed extensions');
    return children(tbs, list).map((ext) => {
        const parts = ext.tag === SEQUENCE ? children(tbs, ext) : [];
        const [oid, second, third] = parts;
        const critical = parts.length === 3 ? second : undefined;
        const value = parts.length === 3 ? third : second;
        if (oid?.tag !== 0x06 || !value || value.tag !== 0x04 || parts.length > 3) throw new Error('malformed extension');
        if (critical && (critical.tag !== 0x01 || critical.end - critical.contentStart !== 1)) throw new Error('malformed extension criticality');
        return {
            oid: decodeOid(tbs.subarray(oid.contentStart, oid.end)),
            critical: critical !== undefined && tbs[critical.contentStart] !== 0,
            value: tbs.subarray(value.contentStart, value.end),
        };
    });
}

function algorithmOid(buf: Uint8Array, alg: Tlv): string {
    const [oid] = children(buf, alg);
    if (oid?.tag !== 0x06) throw new Error('malformed AlgorithmIdentifier');
    return decodeOid(buf.subarray(oid.contentStart, oid.end));
}

/** UTCTime YYMMDDHHMMSSZ (years 1950–2049) or GeneralizedTime YYYYMMDDHHMMSSZ, as RFC 5280 requires them. */
function parseTime(buf: Uint8Array, t: Tlv): Date {
    const text = Buffer.from(buf.subarray(t.contentStart, t.end)).toString('latin1');
    const m = t.tag === 0x17 ? /^(\d{2})(\d{10})Z$/.exec(text) : t.tag === 0x18 ? /^(\d{4})(\d{10})Z$/.exec(text) : null;
    if (!m) throw new Error(`bad certificate time "${text}"`);
    const year = m[1].length === 4 ? Number(m[1]) : Number(m[1]) + (Number(m[1]) < 50 ? 2000 : 1900);
    const [mo, d, h, mi, s] = m[2].match(/\d\d/g)!.map(Number);
    const date = new Date(Date.UTC(year, mo - 1, d, h, mi, s));
    if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw new Error(`bad certificate time "${text}"`);
    return date;
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
