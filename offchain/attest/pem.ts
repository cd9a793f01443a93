import { CertificateParseError } from './errors';

const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes a chain of PEM CERTIFICATE blocks strictly: only BEGIN/END lines, base64 lines and newlines, optionally
 * followed by NUL padding (Intel's quote carries a C string). The base64 must be canonical, so that no two texts
 * decode to the same DER: Node's own decoder skips bad characters and ignores padding bits.
 */
export function decodePemChain(data: Uint8Array | string, what: string): Uint8Array[] {
    let text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
    const nul = text.indexOf('\0');
    if (nul >= 0) {
        if (!/^\0*$/.test(text.slice(nul))) throw new CertificateParseError(`${what}: data after the NUL terminator`);
        text = text.slice(0, nul);
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const certs: Uint8Array[] = [];
    let body: string[] | undefined;
    for (const [i, line] of lines.entries()) {
        if (body === undefined) {
            if (line !== '-----BEGIN CERTIFICATE-----') {
                throw new CertificateParseError(`${what}: line ${i + 1} is not a BEGIN CERTIFICATE line`);
            }
            body = [];
        } else if (line === '-----END CERTIFICATE-----') {
            certs.push(decodeBase64Strict(body.join(''), `${what}: certificate ${certs.length + 1}`));
            body = undefined;
        } else {
            if (!BASE64_LINE.test(line)) throw new CertificateParseError(`${what}: line ${i + 1} is not base64`);
            body.push(line);
        }
    }
    if (body !== undefined) throw new CertificateParseError(`${what}: missing END CERTIFICATE line`);
    if (certs.length === 0) throw new CertificateParseError(`${what}: no certificate`);
    return certs;
}

function decodeBase64Strict(b64: string, what: string): Uint8Array {
    if (b64.length === 0 || b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
        throw new CertificateParseError(`${what}: malformed base64`);
    }
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.toString('base64') !== b64) throw new CertificateParseError(`${what}: non-canonical base64`);
    return new Uint8Array(bytes);
}
