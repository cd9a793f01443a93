import { negotiateVersion, ProtocolError } from '../../offchain/protocol';

describe('protocol version negotiation', () => {
    it('picks the highest common version', () => {
        expect(negotiateVersion({ min: 1, max: 1 })).toBe(1);
        expect(negotiateVersion({ min: 1, max: 7 })).toBe(1);
        expect(negotiateVersion({ min: 0, max: 5 }, { min: 1, max: 3 })).toBe(3);
    });

    it('refuses ranges that do not meet, naming both', () => {
        expect(() => negotiateVersion({ min: 2, max: 4 })).toThrow('no common protocol version: peer supports 2..4, we 1..1');
        expect(() => negotiateVersion({ min: 3, max: 2 })).toThrow('protocol range 3..2 is empty');
        try {
            negotiateVersion({ min: 0, max: 0 });
        } catch (e) {
            expect((e as ProtocolError).code).toBe('unsupported_version');
            expect((e as ProtocolError).status).toBe(502);
        }
        expect.assertions(4);
    });
});
