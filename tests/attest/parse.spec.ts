import { parseQuote, QuoteParseError, verifyQuote } from '../../offchain/attest';
import { quoteBytes, QUOTE_FILES } from './fixtures';

const SIG_END = 4936; // 636 + signature data length 4300; the fixtures are zero-padded to 5006 bytes

function withU16(bytes: Uint8Array, offset: number, value: number): Uint8Array {
    const copy = new Uint8Array(bytes);
    copy[offset] = value & 0xff;
    copy[offset + 1] = value >> 8;
    return copy;
}

function parseError(bytes: Uint8Array): string {
    try {
        parseQuote(bytes);
    } catch (e) {
        expect(e).toBeInstanceOf(QuoteParseError);
        return (e as Error).message;
    }
    throw new Error('parsed');
}

describe('parseQuote', () => {
    const q = quoteBytes('quote-a.dat');

    it.each(QUOTE_FILES)('%s: layout of a v4 ECDSA quote with a TD 1.0 body and an embedded PEM chain of 3', (file) => {
        const quote = parseQuote(quoteBytes(file));
        expect(quote.header.version).toBe(4);
        expect(quote.header.attestationKeyType).toBe(2);
        expect(quote.header.teeType).toBe(0x81);
        expect(quote.bodyType).toBe('td10');
        expect(quote.signedPart.length).toBe(632);
        expect(quote.qeAuthData.length).toBe(32);
        expect(quote.qeReport.isvProdId).toBe(2);
        expect(quote.qeReport.mrSigner.length).toBe(32);
        expect(Buffer.from(quote.pckChainData).toString('latin1').match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    });

    it('rejects every truncation before the end of the signature data with a QuoteParseError; padding may be cut', () => {
        for (let len = 0; len < q.length; len++) {
            const cut = q.subarray(0, len);
            if (len >= SIG_END) {
                expect(parseQuote(cut).signedPart.length).toBe(632);
            } else {
                expect(() => parseQuote(cut)).toThrow(QuoteParseError);
            }
        }
    });

    it('names the truncation offset and field', () => {
        expect(parseError(q.subarray(0, 0))).toBe('truncated at offset 0: header needs 48 bytes');
        expect(parseError(q.subarray(0, 47))).toBe('truncated at offset 47: header needs 48 bytes');
        expect(parseError(q.subarray(0, 200))).toBe('truncated at offset 200: MRTD needs 48 bytes at offset 184, 16 left');
        expect(parseError(q.subarray(0, 634))).toBe('truncated at offset 634: signature data length needs 4 bytes at offset 632, 2 left');
        expect(parseError(q.subarray(0, 4000))).toBe(
            'truncated at offset 4000: signature data length 4300 at offset 632 exceeds the 3364 bytes left',
        );
    });

    it('rejects wrong version, attestation key type and TEE type by name', () => {
        expect(parseError(withU16(q, 0, 3))).toBe('unsupported quote version 3 (expected 4 or 5)');
        expect(parseError(withU16(q, 0, 0xffff))).toBe('unsupported quote version 65535 (expected 4 or 5)');
        expect(parseError(withU16(q, 2, 3))).toBe('unsupported attestation key type 3 (expected 2 = ECDSA-P256)');
        expect(parseError(withU16(q, 4, 0))).toBe('unsupported TEE type 0x00000000 (SGX) (expected 0x00000081 = TDX)');
        expect(parseError(withU16(q, 4, 0x82))).toBe('unsupported TEE type 0x00000082 (expected 0x00000081 = TDX)');
    });

    it('rejects wrong certification data types and sizes by offset', () => {
        // signature data at 636: signature 64, key 64, then the outer certification data header at 764
        expect(parseError(withU16(q, 764, 5))).toBe('certification data type 5 at offset 764 (expected 6 = QE report)');
        expect(parseError(withU16(q, 766, 4165))).toBe(
            'certification data size 4165 at offset 766 does not match the 4166 bytes of signature data left',
        );
        // after 770: QE report 384, its signature 64, auth data size at 1218, auth data 32 → inner header at 1252
        expect(parseError(withU16(q, 1252, 1))).toBe(
            'inner certification data type 1 at offset 1252 (expected 5 = PCK certificate chain)',
        );
        expect(parseError(withU16(q, 1254, 3679))).toBe('inner certification data size 3679 at offset 1254 does not match the 3678 bytes left');
        const auth = withU16(q, 1218, 0xffff);
        expect(parseError(auth)).toBe('truncated at offset 4936: QE auth data needs 65535 bytes at offset 1220, 3716 left');
    });

    it('rejects v5 with an SGX or unknown body type and a body size that does not fit the type', () => {
        const v5 = (type: number, size: number) => {
            const out = new Uint8Array(q.length + 6);
            out.set(q.subarray(0, 48));
            out[0] = 5;
            out.set([type & 0xff, type >> 8, size & 0xff, (size >> 8) & 0xff, 0, 0], 48);
            out.set(q.subarray(48), 54);
            return out;
        };
        expect(parseQuote(v5(2, 584)).bodyType).toBe('td10');
        expect(parseError(v5(1, 384))).toBe('v5 body type 1 is an SGX enclave report, not a TD report');
        expect(parseError(v5(9, 584))).toBe('unknown v5 body type 9 (expected 2 = TD 1.0 or 3 = TD 1.5)');
        expect(parseError(v5(3, 584))).toBe('v5 body size 584 does not match body type 3 (expected 648)');
    });

    it('rejects non-zero bytes after the signature data', () => {
        const copy = new Uint8Array(q);
        copy[5000] = 1;
        expect(parseError(copy)).toBe('non-zero byte after the signature data at offset 5000');
    });

    it('rejects garbage without crashing, and verifyQuote reports it as a failed parse check', () => {
        let seed = 7;
        for (let i = 0; i < 200; i++) {
            const junk = new Uint8Array(1 + (i * 37) % 6000).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);
            expect(() => parseQuote(junk)).toThrow(QuoteParseError);
            const report = verifyQuote(junk);
            expect(report.ok).toBe(false);
            expect(report.signatureChainValid).toBe(false);
            expect(report.checks[0].name).toBe('parse');
            expect(report.checks[0].ok).toBe(false);
        }
        const report = verifyQuote(q.subarray(0, 100));
        expect(report.checks).toEqual([
            { name: 'parse', ok: false, detail: 'truncated at offset 100: MRSEAM needs 48 bytes at offset 64, 36 left' },
            ...['quote signature', 'QE report signature', 'QE report data binding', 'PCK chain', 'root pin'].map((name) => ({
                name,
                ok: false,
                detail: 'not checked: quote did not parse',
            })),
        ]);
    });
});
