import { keyPairFromSeed, sign as tonSign, signVerify as tonVerify } from '@ton/crypto';
import { randomBytes } from 'crypto';
import { sign, signVerify } from '../../wrappers/ed25519';

describe("Ed25519 through Node's crypto", () => {
    it("signs exactly as @ton/crypto does and verifies what it signs", () => {
        for (let i = 0; i < 50; i++) {
            const key = keyPairFromSeed(randomBytes(32));
            const data = randomBytes(i === 0 ? 0 : 1 + (i % 40));
            const signature = sign(data, key.secretKey);
            expect(signature.equals(tonSign(data, key.secretKey))).toBe(true);
            expect(signVerify(data, signature, key.publicKey)).toBe(true);
            expect(tonVerify(data, signature, key.publicKey)).toBe(true);
        }
    });

    it('refuses a changed byte, another key, and malformed signatures or keys (false, never a throw)', () => {
        const key = keyPairFromSeed(Buffer.alloc(32, 7));
        const other = keyPairFromSeed(Buffer.alloc(32, 8));
        const data = Buffer.from('cocoon');
        const signature = sign(data, key.secretKey);
        expect(signVerify(Buffer.from('cocoom'), signature, key.publicKey)).toBe(false);
        expect(signVerify(data, signature, other.publicKey)).toBe(false);
        const flipped = Buffer.from(signature);
        flipped[10] ^= 1;
        expect(signVerify(data, flipped, key.publicKey)).toBe(false);
        expect(signVerify(data, signature.subarray(0, 63), key.publicKey)).toBe(false);
        expect(signVerify(data, signature, Buffer.alloc(31))).toBe(false);
        expect(signVerify(data, signature, Buffer.alloc(32, 0xff))).toBe(false);
        expect(() => sign(data, key.secretKey.subarray(0, 32))).toThrow(new RangeError('an Ed25519 secret key is 64 bytes, got 32'));
    });
});
