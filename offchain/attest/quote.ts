import { QuoteParseError } from './errors';
import { ByteReader } from './reader';

export const TEE_TYPE_SGX = 0x00000000;
export const TEE_TYPE_TDX = 0x00000081;
export const ATTESTATION_KEY_ECDSA_P256 = 2;
export const CERT_DATA_QE_REPORT = 6;
export const CERT_DATA_PCK_CHAIN = 5;
const HEADER_SIZE = 48;
const TD10_BODY_SIZE = 584;
const TD15_BODY_SIZE = 648;
const QE_REPORT_SIZE = 384;

export interface QuoteHeader {
    version: number;
    attestationKeyType: number;
    teeType: number;
    qeSvn: number;
    pceSvn: number;
    qeVendorId: Uint8Array;
    userData: Uint8Array;
}

/** TD report body as it stands in the quote (TD 1.0; TD 1.5 adds the last two fields). */
export interface TdReportBody {
    teeTcbSvn: Uint8Array;
    mrSeam: Uint8Array;
    mrSignerSeam: Uint8Array;
    seamAttributes: Uint8Array;
    tdAttributes: Uint8Array;
    xfam: Uint8Array;
    mrTd: Uint8Array;
    mrConfigId: Uint8Array;
    mrOwner: Uint8Array;
    mrOwnerConfig: Uint8Array;
    rtmr: [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    reportData: Uint8Array;
    teeTcbSvn2?: Uint8Array;
    mrServiceTd?: Uint8Array;
}

/** SGX report body of the Quoting Enclave (384 bytes). */
export interface QeReport {
    raw: Uint8Array;
    cpuSvn: Uint8Array;
    miscSelect: number;
    attributes: Uint8Array;
    mrEnclave: Uint8Array;
    mrSigner: Uint8Array;
    isvProdId: number;
    isvSvn: number;
    reportData: Uint8Array;
}

export interface TdxQuote {
    header: QuoteHeader;
    bodyType: 'td10' | 'td15';
    body: TdReportBody;
    /** Header and body exactly as signed by the attestation key (v5: including body type and size). */
    signedPart: Uint8Array;
    signature: Uint8Array;
    attestationKey: Uint8Array;
    qeReport: QeReport;
    qeReportSignature: Uint8Array;
    qeAuthData: Uint8Array;
    /** Certification data of type 5: the PEM PCK chain (leaf, intermediate CA, root), trailing NULs included. */
    pckChainData: Uint8Array;
}

/** Parses a TDX quote v4 (TD 1.0 body) or v5 (TD 1.0 / TD 1.5 body) with ECDSA-P256 and an embedded PCK chain. */
export function parseQuote(bytes: Uint8Array): TdxQuote {
    if (!(bytes instanceof Uint8Array)) throw new QuoteParseError('quote must be bytes');
    if (bytes.length < HEADER_SIZE) {
        throw new QuoteParseError(`truncated at offset ${bytes.length}: header needs ${HEADER_SIZE} bytes`);
    }
    const r = new ByteReader(bytes);
    const header = parseHeader(r);
    let bodyType: 'td10' | 'td15' = 'td10';
    if (header.version === 5) {
        const type = r.u16('v5 body type');
        const size = r.u32('v5 body size');
        if (type === 2) bodyType = 'td10';
        else if (type === 3) bodyType = 'td15';
        else if (type === 1) throw new QuoteParseError('v5 body type 1 is an SGX enclave report, not a TD report');
        else throw new QuoteParseError(`unknown v5 body type ${type} (expected 2 = TD 1.0 or 3 = TD 1.5)`);
        const expected = bodyType === 'td10' ? TD10_BODY_SIZE : TD15_BODY_SIZE;
        if (size !== expected) {
            throw new QuoteParseError(`v5 body size ${size} does not match body type ${type} (expected ${expected})`);
        }
    }
    const body = parseTdBody(r, bodyType);
    const signedPart = bytes.subarray(0, r.offset);
    const sigLen = r.u32('signature data length');
    const sigStart = r.offset;
    if (sigLen > r.remaining) {
        throw new QuoteParseError(
            `truncated at offset ${bytes.length}: signature data length ${sigLen} at offset ${sigStart - 4} exceeds the ${r.remaining} bytes left`,
        );
    }
    const sig = parseSignatureData(new ByteReader(r.take(sigLen, 'signature data'), sigStart));
    const trailing = bytes.subarray(r.offset);
    const nonZero = trailing.findIndex((b) => b !== 0);
    if (nonZero >= 0) {
        throw new QuoteParseError(`non-zero byte after the signature data at offset ${r.offset + nonZero}`);
    }
    return { header, bodyType, body, signedPart, ...sig };
}

function parseHeader(r: ByteReader): QuoteHeader {
    const version = r.u16('version');
    if (version !== 4 && version !== 5) {
        throw new QuoteParseError(`unsupported quote version ${version} (expected 4 or 5)`);
    }
    const attestationKeyType = r.u16('attestation key type');
    if (attestationKeyType !== ATTESTATION_KEY_ECDSA_P256) {
        throw new QuoteParseError(`unsupported attestation key type ${attestationKeyType} (expected 2 = ECDSA-P256)`);
    }
    const teeType = r.u32('TEE type');
    if (teeType !== TEE_TYPE_TDX) {
        const what = teeType === TEE_TYPE_SGX ? ' (SGX)' : '';
        throw new QuoteParseError(`unsupported TEE type 0x${teeType.toString(16).padStart(8, '0')}${what} (expected 0x00000081 = TDX)`);
    }
    return {
        version,
        attestationKeyType,
        teeType,
        qeSvn: r.u16('QE SVN'),
        pceSvn: r.u16('PCE SVN'),
        qeVendorId: r.take(16, 'QE vendor ID'),
        userData: r.take(20, 'user data'),
    };
}

function parseTdBody(r: ByteReader, type: 'td10' | 'td15'): TdReportBody {
    const body: TdReportBody = {
        teeTcbSvn: r.take(16, 'TEE TCB SVN'),
        mrSeam: r.take(48, 'MRSEAM'),
        mrSignerSeam: r.take(48, 'MRSIGNERSEAM'),
        seamAttributes: r.take(8, 'SEAM attributes'),
        tdAttributes: r.take(8, 'TD attributes'),
        xfam: r.take(8, 'XFAM'),
        mrTd: r.take(48, 'MRTD'),
        mrConfigId: r.take(48, 'MRCONFIGID'),
        mrOwner: r.take(48, 'MROWNER'),
        mrOwnerConfig: r.take(48, 'MROWNERCONFIG'),
        rtmr: [r.take(48, 'RTMR0'), r.take(48, 'RTMR1'), r.take(48, 'RTMR2'), r.take(48, 'RTMR3')],
        reportData: r.take(64, 'REPORTDATA'),
    };
    if (type === 'td15') {
        body.teeTcbSvn2 = r.take(16, 'TEE TCB SVN 2');
        body.mrServiceTd = r.take(48, 'MRSERVICETD');
    }
    return body;
}

function parseSignatureData(r: ByteReader) {
    const signature = r.take(64, 'quote signature');
    const attestationKey = r.take(64, 'attestation key');
    const certType = r.u16('certification data type');
    if (certType !== CERT_DATA_QE_REPORT) {
        throw new QuoteParseError(`certification data type ${certType} at offset ${r.position - 2} (expected 6 = QE report)`);
    }
    const certSize = r.u32('certification data size');
    if (certSize !== r.remaining) {
        throw new QuoteParseError(
            `certification data size ${certSize} at offset ${r.position - 4} does not match the ${r.remaining} bytes of signature data left`,
        );
    }
    const qeRaw = r.take(QE_REPORT_SIZE, 'QE report');
    const qeReportSignature = r.take(64, 'QE report signature');
    const authLen = r.u16('QE auth data size');
    const qeAuthData = r.take(authLen, 'QE auth data');
    const innerType = r.u16('inner certification data type');
    if (innerType !== CERT_DATA_PCK_CHAIN) {
        throw new QuoteParseError(
            `inner certification data type ${innerType} at offset ${r.position - 2} (expected 5 = PCK certificate chain)`,
        );
    }
    const innerSize = r.u32('inner certification data size');
    if (innerSize !== r.remaining) {
        throw new QuoteParseError(
            `inner certification data size ${innerSize} at offset ${r.position - 4} does not match the ${r.remaining} bytes left`,
        );
    }
    const pckChainData = r.take(innerSize, 'PCK certificate chain');
    return { signature, attestationKey, qeReport: parseQeReport(qeRaw), qeReportSignature, qeAuthData, pckChainData };
}

function parseQeReport(raw: Uint8Array): QeReport {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return {
        raw,
        cpuSvn: raw.subarray(0, 16),
        miscSelect: dv.getUint32(16, true),
        attributes: raw.subarray(48, 64),
        mrEnclave: raw.subarray(64, 96),
        mrSigner: raw.subarray(128, 160),
        isvProdId: dv.getUint16(256, true),
        isvSvn: dv.getUint16(258, true),
        reportData: raw.subarray(320, 384),
    };
}

/** TD attributes bit 0 (little-endian byte 0): the TD runs in debug mode and its memory is readable by the host. */
export function isDebugTd(tdAttributes: Uint8Array): boolean {
    return (tdAttributes[0] & 1) === 1;
}
