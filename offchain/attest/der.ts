import { CertificateParseError } from './errors';

export interface Tlv {
    tag: number;
    /** Offsets into the buffer the TLV was read from. */
    start: number;
    contentStart: number;
    end: number;
}

/**
 * Reads one DER TLV at `offset`, strictly: single-byte tags, definite minimal lengths, content inside `limit`.
 * Strictness matters because a signature covers only the TBS part: a lax reader would let bytes outside it change.
 */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
    if (offset + 2 > limit) throw new CertificateParseError(`DER truncated at offset ${offset}`);
    const tag = buf[offset];
    if ((tag & 0x1f) === 0x1f) throw new CertificateParseError(`unsupported multi-byte DER tag at offset ${offset}`);
    let len = buf[offset + 1];
    let p = offset + 2;
    if (len & 0x80) {
        const n = len & 0x7f;
        if (n === 0 || n > 4) throw new CertificateParseError(`bad DER length form at offset ${offset + 1}`);
        if (p + n > limit) throw new CertificateParseError(`DER truncated at offset ${p}`);
        len = 0;
        for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
        if (buf[p] === 0 || len < 0x80) throw new CertificateParseError(`non-minimal DER length at offset ${offset + 1}`);
        p += n;
    }
    if (p + len > limit) throw new CertificateParseError(`DER content overruns its container at offset ${offset}`);
    return { tag, start: offset, contentStart: p, end: p + len };
}

/** The children of a constructed TLV, which must exactly fill it. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
    const out: Tlv[] = [];
    let p = parent.contentStart;
    while (p < parent.end) {
        const t = readTlv(buf, p, parent.end);
        out.push(t);
        p = t.end;
    }
    return out;
}

export interface SignedDer {
    /** The to-be-signed bytes (TBSCertificate / TBSCertList), DER as it stands. */
    tbs: Uint8Array;
    /** DER of the outer AlgorithmIdentifier. */
    algorithm: Uint8Array;
    /** The signature value: a DER ECDSA-Sig-Value. */
    signature: Uint8Array;
}

const ECDSA_SHA256_ALG = Buffer.from('300a06082a8648ce3d040302', 'hex');

/**
 * Splits a signed X.509 structure (certificate or CRL) into TBS, algorithm and signature value, requiring
 * ecdsa-with-SHA256 without parameters and a BIT STRING with no unused bits, nothing after the outer SEQUENCE.
 */
export function splitSigned(der: Uint8Array, what: string): SignedDer {
    const outer = readTlv(der, 0);
    if (outer.tag !== 0x30 || outer.end !== der.length) {
        throw new CertificateParseError(`${what}: not a single DER SEQUENCE`);
    }
    const parts = children(der, outer);
    if (parts.length !== 3 || parts[0].tag !== 0x30 || parts[1].tag !== 0x30 || parts[2].tag !== 0x03) {
        throw new CertificateParseError(`${what}: expected SEQUENCE { tbs, algorithm, signature }`);
    }
    const algorithm = der.subarray(parts[1].start, parts[1].end);
    if (!ECDSA_SHA256_ALG.equals(algorithm)) {
        throw new CertificateParseError(`${what}: signature algorithm is not ecdsa-with-SHA256`);
    }
    const bits = parts[2];
    if (bits.end - bits.contentStart < 2 || der[bits.contentStart] !== 0) {
        throw new CertificateParseError(`${what}: signature BIT STRING must have no unused bits`);
    }
    return {
        tbs: der.subarray(parts[0].start, parts[0].end),
        algorithm,
        signature: der.subarray(bits.contentStart + 1, bits.end),
    };
}

/** True when the TBS names the same algorithm as the outer structure (RFC 5280 §4.1.1.2, §5.1.1.2). */
export function tbsAlgorithmMatches(tbs: Uint8Array, algorithm: Uint8Array, isCertificate: boolean): boolean {
    const fields = children(tbs, readTlv(tbs, 0));
    // Certificate TBS: [0] version, serial, signature…; CRL TBS: version (optional INTEGER), signature…
    let i = 0;
    if (isCertificate) {
        if (fields[0]?.tag === 0xa0) i++;
        i++; // serial number
    } else if (fields[0]?.tag === 0x02) {
        i++;
    }
    const alg = fields[i];
    return !!alg && Buffer.from(tbs.subarray(alg.start, alg.end)).equals(Buffer.from(algorithm));
}
