import { MeasurementError } from '../../tdx/src/errors';
import { expectedImage, parseMeasurements } from '../../tdx/src/imageHash';

const EMPTY_TREE = '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321';
const M = {
    mrTd: 'F2DD2696F69B950645832BDC095FFD11247EEFF687EEACDB57A58D2DDB9A9F94FEA40C961E19460C00FFA31420ECBC18',
    rtmr0: '0998204508d58dcbfebe5e11c48669f7a921ac2da744dfb7d014ecdff2acdff1c9f665fdad52aadacf296a1df9909eb2',
    rtmr1: '383d100224f1716aeb431f7cb3cf028197dbd872487f27b0f6329ab17647dc9953c7014109818634f879e6550bc60f93',
    rtmr2: 'eecfc42ff4d49278bfdbb0c77e570f4490cff10a2ee1ac11fbd2c2b49fa6cfa3cf1a1cb755c72522dd8a689e9d47906a',
};

describe('expected image hash', () => {
    test('measurements: hex normalised, MRCONFIGID/MROWNER/MROWNERCONFIG zero unless given, other keys ignored', () => {
        const m = parseMeasurements(JSON.stringify({ ...M, rtmr3: 'ignored', reportData: 'ignored' }), 'm.json');
        expect(m).toEqual({
            mrTd: M.mrTd.toLowerCase(), rtmr0: M.rtmr0, rtmr1: M.rtmr1, rtmr2: M.rtmr2,
            mrConfigId: '00'.repeat(48), mrOwner: '00'.repeat(48), mrOwnerConfig: '00'.repeat(48),
        });
        expect(parseMeasurements(JSON.stringify({ ...M, mrOwnerConfig: 'ab'.repeat(48) }), 'm.json').mrOwnerConfig).toBe('ab'.repeat(48));
    });

    test('an `attest cert --json` report: the registers are read from its quote', () => {
        const certReport = { ok: true, provider: 'tdx', quote: { ...M, rtmr3: '00'.repeat(48), imageHash: 'x' } };
        expect(parseMeasurements(JSON.stringify(certReport), 'cert.json').rtmr2).toBe(M.rtmr2);
        expect(() => parseMeasurements(JSON.stringify({ quote: {} }), 'cert.json')).toThrow(new MeasurementError('cert.json: missing mrTd'));
    });

    test('image hash = SHA-256 over the registers with RTMR3 from the config (values from Python hashlib)', () => {
        const m = parseMeasurements(JSON.stringify(M), 'm.json');
        expect(expectedImage(m, EMPTY_TREE, false).imageHash).toBe('19f8c4e16077791f16189dd8a9ed7a8a2cdc0b81efa6b5165f0babd7de02d97d');
        expect(expectedImage(m, EMPTY_TREE, true).imageHash).toBe('abde1eca9014c5b44eda216d29c684d6e37b0ce4754629b1ef633a1c9742e6c3');
        const owned = parseMeasurements(JSON.stringify({ ...M, mrOwner: '11'.repeat(48) }), 'm.json');
        expect(expectedImage(owned, EMPTY_TREE, false).imageHash).toBe('f915642412421964eeff263df324100c15e835411782139f8e29ead087963344');
    });

    test('bad measurements name the field', () => {
        expect(() => parseMeasurements('{}', 'm.json')).toThrow(new MeasurementError('m.json: missing mrTd'));
        expect(() => parseMeasurements(JSON.stringify({ ...M, rtmr1: 7 }), 'm.json')).toThrow(
            new MeasurementError('m.json: rtmr1 must be 96 hex digits (48 bytes)'),
        );
        expect(() => parseMeasurements(JSON.stringify({ ...M, mrConfigId: '00' }), 'm.json')).toThrow(
            new MeasurementError('m.json: mrConfigId must be 96 hex digits (48 bytes)'),
        );
        expect(() => parseMeasurements('null', 'm.json')).toThrow(new MeasurementError('m.json: expected a JSON object'));
    });
});
