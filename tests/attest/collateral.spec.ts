import { CollateralParseError, collateralToJson, parseCollateral } from '../../offchain/attest';
import { rawJsonMember } from '../../offchain/attest/rawJson';
import { collateralText } from './fixtures';

describe('parseCollateral', () => {
    const real = JSON.parse(collateralText());

    it('round-trips the fixture through collateralToJson', () => {
        expect(collateralToJson(parseCollateral(collateralText()))).toEqual(real);
        expect(collateralToJson(parseCollateral(real))).toEqual(real);
    });

    it('accepts a PEM CRL', () => {
        const b64 = Buffer.from(real.pck_crl, 'hex').toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
        const pem = `-----BEGIN X509 CRL-----\n${b64}\n-----END X509 CRL-----\n`;
        expect(collateralToJson(parseCollateral({ ...real, pck_crl: pem })).pck_crl).toBe(real.pck_crl);
    });

    it.each([
        ['{', /^collateral is not JSON: /],
        ['[]', /^collateral must be a JSON object$/],
        [JSON.stringify({ ...real, tcb_info: undefined }), /^collateral\.tcb_info must be a non-empty string$/],
        [JSON.stringify({ ...real, qe_identity: { id: 'TD_QE' } }), /^collateral\.qe_identity must be a non-empty string$/],
        [JSON.stringify({ ...real, tcb_info_signature: 'abcd' }), /^collateral\.tcb_info_signature must be 64 bytes of hex \(r ‖ s\)$/],
        [JSON.stringify({ ...real, qe_identity_signature: 'x'.repeat(128) }), /^collateral\.qe_identity_signature must be 64 bytes/],
        [JSON.stringify({ ...real, root_ca_crl: 'not a crl' }), /^collateral\.root_ca_crl: neither DER, hex nor PEM$/],
    ])('rejects %#', (text, message) => {
        expect(() => parseCollateral(text)).toThrow(CollateralParseError);
        expect(() => parseCollateral(text)).toThrow(message);
    });
});

describe('rawJsonMember', () => {
    it('cuts a member out verbatim, whitespace, escapes and nesting included', () => {
        const body = '{ "a" : "x\\"}" ,\n"tcbInfo":{"k":[1,{"s":"}]"}], "e": "\\\\"} , "signature":"ab"}';
        expect(rawJsonMember(body, 'tcbInfo')).toBe('{"k":[1,{"s":"}]"}], "e": "\\\\"}');
        expect(rawJsonMember(body, 'signature')).toBe('"ab"');
        expect(rawJsonMember(body, 'a')).toBe('"x\\"}"');
        expect(rawJsonMember('{"n": 12, "b": true}', 'b')).toBe('true');
    });

    it('returns undefined for a missing member or a text that is not an object', () => {
        expect(rawJsonMember('{"a":1}', 'tcbInfo')).toBeUndefined();
        expect(rawJsonMember('[{"tcbInfo":1}]', 'tcbInfo')).toBeUndefined();
        expect(rawJsonMember('{"tcbInfo":{"open"', 'tcbInfo')).toBeUndefined();
        expect(rawJsonMember('', 'tcbInfo')).toBeUndefined();
        expect(rawJsonMember('{"\\x":1,"tcbInfo":2}', 'tcbInfo')).toBeUndefined();
    });
});
