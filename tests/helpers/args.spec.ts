import { Address } from '@ton/core';
import { UIProvider } from '@ton/blueprint';
import {
    ArgReader,
    ArgumentError,
    parseAddress,
    parseCoins,
    parseDescriptor,
    parseHash256,
    parseNano,
    parsePublicKey,
    parseUint,
} from '../../scripts/lib/args';
import { scriptedUi } from './ui';

describe('scripts/lib/args', () => {
    it('parses valid values exactly', () => {
        expect(parseCoins('stake', '1.5')).toBe(1_500_000_000n);
        expect(parseCoins('stake', '0.000000001')).toBe(1n);
        expect(parseNano('price', '20')).toBe(20n);
        expect(parseUint('seqno', '0xff', 8)).toBe(255n);
        expect(parseHash256('hash', '0x' + 'ab'.repeat(32))).toBe(BigInt('0x' + 'ab'.repeat(32)));
        expect(parsePublicKey('key', '01'.repeat(32))).toEqual(Buffer.alloc(32, 1));
        expect(parsePublicKey('key', Buffer.alloc(32, 2).toString('base64'))).toEqual(Buffer.alloc(32, 2));
        expect(parseDescriptor('proxy', '1.2.3.4:8000 5.6.7.8:9000')).toBe('1.2.3.4:8000 5.6.7.8:9000');
        const a = Address.parse('0:' + '11'.repeat(32));
        expect(parseAddress('owner', a.toString()).equals(a)).toBe(true);
    });

    it('rejects bad values with a message naming the argument', () => {
        expect(() => parseCoins('stake', '-1')).toThrow(new ArgumentError('stake: "-1" is not an amount of TON (e.g. 1.5, at most 9 decimals)'));
        expect(() => parseCoins('stake', '1.0000000001')).toThrow(ArgumentError);
        expect(() => parseUint('seqno', '256', 8)).toThrow(new ArgumentError('seqno: "256" does not fit in 8 bits'));
        expect(() => parseHash256('hash', 'abc')).toThrow(new ArgumentError('hash: "abc" is not a 256-bit hash (64 hex digits)'));
        expect(() => parsePublicKey('key', 'xyz')).toThrow(ArgumentError);
        expect(() => parseAddress('owner', 'nope')).toThrow(
            new ArgumentError('owner: "nope" is not a TON address (raw 0:<hex> or user-friendly)'),
        );
        expect(() => parseDescriptor('proxy', '1.2.3.4')).toThrow(
            new ArgumentError('proxy: proxy descriptor "1.2.3.4": "1.2.3.4" is not HOST:PORT'),
        );
        expect(() => parseDescriptor('proxy', 'a:1  b:2')).toThrow(ArgumentError);
        expect(() => parseDescriptor('proxy', 'h'.repeat(110) + ':1', 110)).toThrow(
            new ArgumentError('proxy: proxy descriptor is 112 bytes; at most 110 fit in the message'),
        );
    });

    it('takes arguments from the command line first, then asks', async () => {
        const ui = scriptedUi(['2.5', '7']);
        const r = new ArgReader(['0x10'], ui as unknown as UIProvider);
        expect(await r.uint('n', 8)).toBe(16n);
        expect(await r.coins('value')).toBe(2_500_000_000n);
        expect(await r.smallUint('count', 8)).toBe(7);
        expect(ui.asked).toEqual(['value (TON):', 'count (uint8):']);
    });

    it('validates choices', async () => {
        const r = new ArgReader(['x'], scriptedUi([]) as unknown as UIProvider);
        await expect(r.choice('action', ['w', 'b', 'u'] as const)).rejects.toThrow(
            new ArgumentError('action: "x" is not one of w, b, u'),
        );
    });
});
