import { createHash } from 'crypto';
import { claimsReportData, parseClaims, serializeClaims } from '../../offchain/ratls/claims';
import { ClaimsFormatError } from '../../offchain/ratls/errors';

const key = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

describe('user claims serialization', () => {
    it('encodes version, key, time and sorted extra fields byte for byte', () => {
        const bytes = serializeClaims({ version: 1, publicKey: key, issuedAt: 0x01020304, extra: { zz: new Uint8Array([9]), gpu: new Uint8Array([0xaa, 0xbb]) } });
        const expected = Buffer.concat([
            Buffer.from([1]),
            Buffer.from(key),
            Buffer.from('0000000001020304', 'hex'),
            Buffer.from([2]),
            Buffer.from([3]), Buffer.from('gpu'), Buffer.from([0, 2, 0xaa, 0xbb]),
            Buffer.from([2]), Buffer.from('zz'), Buffer.from([0, 1, 9]),
        ]);
        expect(Buffer.from(bytes).toString('hex')).toBe(expected.toString('hex'));
        const parsed = parseClaims(bytes);
        expect(parsed).toEqual({ version: 1, publicKey: key, issuedAt: 0x01020304, extra: { gpu: new Uint8Array([0xaa, 0xbb]), zz: new Uint8Array([9]) } });
        expect(Buffer.from(claimsReportData(bytes)).toString('hex')).toBe(createHash('sha512').update(bytes).digest('hex'));
    });

    it('reads a bare 32-byte key as COCOON\'s version 0 claims', () => {
        expect(parseClaims(key)).toEqual({ version: 0, publicKey: key, extra: {} });
        expect(serializeClaims({ version: 0, publicKey: key, extra: {} })).toEqual(key);
    });

    it('rejects non-canonical, truncated and malformed encodings with the reason', () => {
        const good = Buffer.from(serializeClaims({ version: 1, publicKey: key, issuedAt: 5, extra: { a: new Uint8Array([1]), b: new Uint8Array([2]) } }));
        const swapped = Buffer.concat([good.subarray(0, 42), good.subarray(47, 52), good.subarray(42, 47)]);
        const cases: [Buffer, string][] = [
            [swapped, 'claims are not in canonical form'],
            [good.subarray(0, good.length - 1), 'claims truncated'],
            [Buffer.concat([good, Buffer.from([0])]), '1 trailing bytes after claims'],
            [Buffer.concat([Buffer.from([2]), good.subarray(1)]), 'unknown claims version 2'],
            [good.subarray(0, 40), 'claims too short: 40 bytes'],
        ];
        for (const [bytes, message] of cases) {
            expect(() => parseClaims(bytes)).toThrow(new ClaimsFormatError(message));
        }
    });

    it('refuses claims it cannot encode', () => {
        expect(() => serializeClaims({ version: 1, publicKey: key.subarray(1), issuedAt: 1, extra: {} })).toThrow('public key must be 32 bytes, got 31');
        expect(() => serializeClaims({ version: 1, publicKey: key, issuedAt: 1, extra: { 'Bad Name': new Uint8Array() } })).toThrow('bad extra field name "Bad Name" (1..64 chars of [a-z0-9_.-])');
        expect(() => serializeClaims({ version: 1, publicKey: key, issuedAt: 1.5, extra: {} })).toThrow('issuedAt must be a non-negative whole number of seconds, got 1.5');
        expect(() => serializeClaims({ version: 1, publicKey: key, issuedAt: 1, extra: { big: new Uint8Array(4097) } })).toThrow('extra field "big" exceeds 4096 bytes');
    });
});
