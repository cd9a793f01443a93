import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { children, readTlv, splitSigned, tbsAlgorithmMatches } from './der';
import { CertificateParseError } from './errors';
import { normalizeSerial } from './certificate';
import { BytesMemo } from './memo';

/** A certificate revocation list with the raw parts needed to check its signature. */
export interface Crl {
    tbs: Uint8Array;
    signature: Uint8Array;
    /** DER of the issuer Name. */
    issuer: Uint8Array;
    issuerText: string;
    thisUpdate: Date;
    nextUpdate: Date;
    /** Revoked serial numbers, lowercase hex without leading zeros. */
    revoked: Set<string>;
}

const parsed = new BytesMemo<Crl>(32);

/** Parses a DER CRL (memoized by its bytes). Throws CertificateParseError naming `what`. */
export function parseCrl(der: Uint8Array, what: string): Crl {
    return parsed.get(der, () => parseUncached(new Uint8Array(der), what));
}

function parseUncached(der: Uint8Array, what: string): Crl {
    const { tbs, algorithm, signature } = splitSigned(der, what);
    if (!tbsAlgorithmMatches(tbs, algorithm, false)) {
        throw new CertificateParseError(`${what}: inner and outer signature algorithms differ`);
    }
    // TBSCertList: version (optional INTEGER), signature, issuer, thisUpdate, nextUpdate, …
    const fields = children(tbs, readTlv(tbs, 0));
    const issuerField = fields[fields[0]?.tag === 0x02 ? 2 : 1];
    if (!issuerField || issuerField.tag !== 0x30) throw new CertificateParseError(`${what}: no issuer name`);
    let crl: x509.X509Crl;
    try {
        crl = new x509.X509Crl(der);
        if (!crl.nextUpdate) throw new Error('no nextUpdate');
        return {
            tbs,
            signature,
            issuer: tbs.subarray(issuerField.start, issuerField.end),
            issuerText: crl.issuer,
            thisUpdate: crl.thisUpdate,
            nextUpdate: crl.nextUpdate,
            revoked: new Set(crl.entries.map((e) => normalizeSerial(e.serialNumber))),
        };
    } catch (e) {
        throw new CertificateParseError(`${what}: ${(e as Error).message}`);
    }
}

/** CRL bytes as PCCS and PCS hand them out: DER, hex of DER, or PEM. */
export function crlBytes(data: Uint8Array | string, what: string): Uint8Array {
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
    const trimmed = text.trim();
    const pem = /^-----BEGIN X509 CRL-----\n([A-Za-z0-9+/=\n]+)\n-----END X509 CRL-----$/.exec(trimmed);
    if (pem) return new Uint8Array(Buffer.from(pem[1].replace(/\n/g, ''), 'base64'));
    if (/^([0-9a-fA-F]{2})+$/.test(trimmed)) return new Uint8Array(Buffer.from(trimmed, 'hex'));
    if (typeof data !== 'string' && data[0] === 0x30) return data;
    throw new CertificateParseError(`${what}: neither DER, hex nor PEM`);
}
