import { Certificate } from './certificate';
import { children, readTlv, Tlv } from './der';
import { CertificateParseError } from './errors';
import { toHex } from './hex';

const SGX_EXTENSIONS = '1.2.840.113741.1.13.1';
const TCB = `${SGX_EXTENSIONS}.2`;
const PCE_ID = `${SGX_EXTENSIONS}.3`;
const FMSPC = `${SGX_EXTENSIONS}.4`;

/** Platform identity and TCB the PCK certificate was issued for (Intel SGX PCK Certificate and CRL Profile). */
export interface PckTcb {
    /** Uppercase hex, as in TCB info. */
    fmspc: string;
    pceId: string;
    /** The 16 SGX TCB component SVNs (CPUSVN). */
    cpuSvn: number[];
    pceSvn: number;
}

const pckTcbs = new WeakMap<Certificate, PckTcb>();

/** The PCK certificate's SGX extension, decoded once per (memoized, hence per exact DER) certificate. */
export function readPckTcb(cert: Certificate): PckTcb {
    let tcb = pckTcbs.get(cert);
    if (!tcb) pckTcbs.set(cert, (tcb = decodePckTcb(cert)));
    return tcb;
}

function decodePckTcb(cert: Certificate): PckTcb {
    const ext = cert.x509.getExtension(SGX_EXTENSIONS);
    if (!ext) throw new CertificateParseError('PCK certificate has no SGX extensions (1.2.840.113741.1.13.1)');
    const buf = new Uint8Array(ext.value);
    const entries = sequenceEntries(buf, readTlv(buf, 0));
    const fmspc = entries.get(FMSPC);
    const pceId = entries.get(PCE_ID);
    const tcb = entries.get(TCB);
    if (!fmspc || fmspc.tlv.tag !== 0x04 || !pceId || pceId.tlv.tag !== 0x04 || !tcb || tcb.tlv.tag !== 0x30) {
        throw new CertificateParseError('PCK certificate SGX extensions lack FMSPC, PCE-ID or TCB');
    }
    const comps = sequenceEntries(buf, tcb.tlv);
    const cpuSvn: number[] = [];
    for (let i = 1; i <= 16; i++) cpuSvn.push(integer(buf, comps.get(`${TCB}.${i}`)?.tlv, `TCB component ${i}`));
    return {
        fmspc: toHex(content(buf, fmspc.tlv)).toUpperCase(),
        pceId: toHex(content(buf, pceId.tlv)).toUpperCase(),
        cpuSvn,
        pceSvn: integer(buf, comps.get(`${TCB}.17`)?.tlv, 'PCESVN'),
    };
}

/** SEQUENCE OF SEQUENCE { OID, value } as a map from dotted OID to the value TLV. */
function sequenceEntries(buf: Uint8Array, seq: Tlv): Map<string, { tlv: Tlv }> {
    const out = new Map<string, { tlv: Tlv }>();
    for (const item of children(buf, seq)) {
        const [oid, value] = children(buf, item);
        if (item.tag !== 0x30 || !oid || oid.tag !== 0x06 || !value) {
            throw new CertificateParseError('PCK certificate SGX extension entry is not { OID, value }');
        }
        out.set(decodeOid(content(buf, oid)), { tlv: value });
    }
    return out;
}

function content(buf: Uint8Array, t: Tlv): Uint8Array {
    return buf.subarray(t.contentStart, t.end);
}

function integer(buf: Uint8Array, t: Tlv | undefined, what: string): number {
    if (!t || t.tag !== 0x02 || t.end - t.contentStart > 3) {
        throw new CertificateParseError(`PCK certificate SGX extension: ${what} is not a small INTEGER`);
    }
    return content(buf, t).reduce((n, b) => n * 256 + b, 0);
}

export function decodeOid(bytes: Uint8Array): string {
    const parts: number[] = [];
    let n = 0;
    for (const b of bytes) {
        n = n * 128 + (b & 0x7f);
        if (!(b & 0x80)) {
            if (parts.length === 0) parts.push(n < 80 ? Math.floor(n / 40) : 2, n < 80 ? n % 40 : n - 80);
            else parts.push(n);
            n = 0;
        }
    }
    return parts.join('.');
}
