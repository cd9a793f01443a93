import { MeasurementError } from '../../tdx/src/errors';
import { configMeasurementEvents, expectedRtmr3, extendRtmr, replayRtmr, sha384, zeroRtmr } from '../../tdx/src/rtmr';

// Expected values computed independently with Python's hashlib.
const EMPTY_TREE = '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321';

describe('RTMR arithmetic', () => {
    test('extend is SHA-384(register ‖ digest), from 48 zero bytes', () => {
        expect(extendRtmr(zeroRtmr(), sha384('')).toString('hex')).toBe(
            '21b9efbc184807662e966d34f390821309eeac6802309798826296bf3e8bec7c10edb30948c90ba67310f7b964fc500a',
        );
        expect(replayRtmr([]).equals(Buffer.alloc(48))).toBe(true);
        expect(replayRtmr([sha384('')]).equals(extendRtmr(zeroRtmr(), sha384('')))).toBe(true);
    });

    test('wrong lengths are refused', () => {
        expect(() => extendRtmr(Buffer.alloc(47), sha384(''))).toThrow(new MeasurementError('register must be 48 bytes, got 47'));
        expect(() => extendRtmr(zeroRtmr(), Buffer.alloc(32))).toThrow(new MeasurementError('digest must be 48 bytes, got 32'));
    });

    test('config events: spec tree, debug marker if any, then tdx_inited', () => {
        expect(configMeasurementEvents(EMPTY_TREE, false)).toEqual([`cocoon:spec.tree=${EMPTY_TREE}`, 'cocoon:tdx_inited']);
        expect(configMeasurementEvents(EMPTY_TREE, true)).toEqual([
            `cocoon:spec.tree=${EMPTY_TREE}`,
            'cocoon:cocoon_debug',
            'cocoon:tdx_inited',
        ]);
        expect(() => configMeasurementEvents(EMPTY_TREE.toUpperCase(), false)).toThrow(
            new MeasurementError(`spec-tree hash must be 64 lowercase hex digits, got "${EMPTY_TREE.toUpperCase()}"`),
        );
    });

    test('expected RTMR3 for a config, production and debug', () => {
        expect(expectedRtmr3(EMPTY_TREE, false).toString('hex')).toBe(
            '93cf188d6ad7c7c88ee55b267c48e2d5edd983c15cb94c5caa62638f16524ba6496f376943fba45444a87bc08b8be125',
        );
        expect(expectedRtmr3(EMPTY_TREE, true).toString('hex')).toBe(
            '9f87557597afaa9e3304849da960c083bfc9bc376a1a5a07212ff535027e590068c9d628726238538e71ca2bac603f92',
        );
    });
});
