import { BytesMemo } from '../../offchain/attest/memo';

describe('BytesMemo', () => {
    const counting = () => {
        let made = 0;
        return { make: () => ({ n: ++made }), made: () => made };
    };

    it.each([
        ['short (keyed by the bytes themselves)', 16],
        ['long (keyed by SHA-256, then compared)', 4000],
    ])('%s: equal bytes in another array or at another offset give the same object, one changed byte a new one', (_what, size) => {
        const memo = new BytesMemo<{ n: number }>(8);
        const c = counting();
        const bytes = Uint8Array.from({ length: size }, (_, i) => i % 251);
        const first = memo.get(bytes, c.make);
        const shifted = new Uint8Array(size + 3);
        shifted.set(bytes, 3);
        expect(memo.get(Uint8Array.from(bytes), c.make)).toBe(first);
        expect(memo.get(shifted.subarray(3), c.make)).toBe(first);
        const changed = Uint8Array.from(bytes);
        changed[size - 1] ^= 1;
        expect(memo.get(changed, c.make)).not.toBe(first);
        expect(c.made()).toBe(2);
    });

    it('short bytes share the entry of their latin1 text; the least recently used entry goes first', () => {
        const memo = new BytesMemo<{ n: number }>(2);
        const c = counting();
        const a = memo.get('a', c.make);
        expect(memo.get(Uint8Array.of(0x61), c.make)).toBe(a);
        memo.get('b', c.make);
        memo.get('a', c.make); // now b is the oldest
        memo.get('c', c.make);
        expect(c.made()).toBe(3);
        expect(memo.get('a', c.make)).toBe(a);
        expect(memo.get('b', c.make)).toEqual({ n: 4 });
    });

    it('keeps nothing when making the value throws', () => {
        const memo = new BytesMemo<number>(2);
        expect(() => memo.get('x', () => { throw new Error('bad'); })).toThrow('bad');
        expect(memo.get('x', () => 7)).toBe(7);
    });
});
