import { EventLogError } from '../../tdx/src/errors';
import { parseEventLog, replayEventLog } from '../../tdx/src/eventLog';
import { event, events, eventsEnd, fill, header, log, SHA256, SHA384 } from './eventLogBuilder';

// Replays computed independently with Python's hashlib.
const EXPECTED = {
    rtmr0: '1e22f51c704895e9cb551bb1961bac0e4cff3c0545b30525327f44c53117261c97b3a2bd3fa43c8afaaacd1311781dd5',
    rtmr1: 'ce4793860d661fd5bb5c6beb58da6c79c32c0597662c971fb34d0062616ebc85a09ce16ff6ea80934ae5e973a4dc06a5',
    rtmr2: '5013da825490796e4db33ffff72e476fdad898109300b70e7de9642e19adcb337bba0adc31c7dc872bf8d3a54ea247a9',
    rtmr3: '78c9387ac5f53c5077fec824e9180f5dc1a8df3fef4637a7b183f88273957fb042062b74328f9f36d5ed21fcffaab78c',
};

describe('TCG crypto-agile event log (CCEL)', () => {
    test('parses the spec ID header and every event', () => {
        const parsed = parseEventLog(log);
        expect(parsed.header.specVersion).toBe('2.0.0');
        expect(parsed.header.uintnSize).toBe(2);
        expect(parsed.header.algorithms).toEqual([
            { algorithmId: SHA256, digestSize: 32 },
            { algorithmId: SHA384, digestSize: 48 },
        ]);
        expect(parsed.header.vendorInfo.toString('hex')).toBe('abcd');
        expect(parsed.events.map((e) => [e.offset, e.mrIndex, e.eventType, e.digests.length, e.data.toString('latin1')])).toEqual([
            [71, 1, 0x80000008, 2, 'fw\0\0'],
            [175, 1, 0x3, 1, ''],
            [241, 2, 0x80000003, 1, 'bootloader'],
            [317, 3, 0xd, 1, 'console=ttyS0 roothash=ab'],
            [408, 3, 0xd, 2, 'initrd'],
            [514, 4, 0xd, 1, 'os'],
        ]);
        expect(parsed.endOffset).toBe(582);
    });

    test('replays SHA-384 digests into RTMR0..3 (MR index 1..4), skipping EV_NO_ACTION', () => {
        const [r0, r1, r2, r3] = replayEventLog(parseEventLog(log)).map((b) => b.toString('hex'));
        expect({ rtmr0: r0, rtmr1: r1, rtmr2: r2, rtmr3: r3 }).toEqual(EXPECTED);
    });

    test('zero fill and the plain end of data also end the log', () => {
        const zeroFilled = Buffer.concat([header(), ...events, fill(0, 40)]);
        expect(parseEventLog(zeroFilled).events.length).toBe(6);
        expect(parseEventLog(zeroFilled).endOffset).toBe(eventsEnd);
        expect(parseEventLog(log.subarray(0, eventsEnd)).events.length).toBe(6);
        expect(parseEventLog(header()).events.length).toBe(0);
    });

    test('every cut inside a record is a truncation error naming its offset', () => {
        const boundaries = new Set([71, 175, 241, 317, 408, 514, eventsEnd]);
        for (let cut = 0; cut < eventsEnd; cut++) {
            if (boundaries.has(cut)) continue;
            let error: unknown;
            try {
                parseEventLog(log.subarray(0, cut));
            } catch (e) {
                error = e;
            }
            expect(error).toBeInstanceOf(EventLogError);
            expect((error as Error).message).toMatch(/^event log: truncated: .* needs \d+ bytes, \d+ left at offset \d+$/);
        }
        expect(() => parseEventLog(Buffer.alloc(0))).toThrow(
            new EventLogError(0, 'truncated: spec ID event MR index needs 4 bytes, 0 left'),
        );
        expect(() => parseEventLog(log.subarray(0, 10))).toThrow(
            new EventLogError(8, 'truncated: spec ID event SHA-1 digest needs 20 bytes, 2 left'),
        );
        expect(() => parseEventLog(log.subarray(0, 95))).toThrow(new EventLogError(85, 'truncated: digest needs 32 bytes, 10 left'));
        expect(() => parseEventLog(log.subarray(0, 175 - 2))).toThrow(
            new EventLogError(171, 'truncated: event data needs 4 bytes, 2 left'),
        );
    });

    test('garbage is refused with the reason', () => {
        expect(() => parseEventLog(Buffer.from('hello world, this is not an event log'))).toThrow(
            new EventLogError(0, 'not a TCG event log: first event has MR index 1819043176 and type 0x6f77206f, expected 0 and EV_NO_ACTION (0x3)'),
        );
        const ccelTable = Buffer.concat([Buffer.from('CCEL', 'latin1'), Buffer.alloc(52)]);
        expect(() => parseEventLog(ccelTable)).toThrow(
            new EventLogError(0, 'this is the ACPI CCEL table, not the event log it points to (read /sys/firmware/acpi/tables/data/CCEL)'),
        );
        expect(() => parseEventLog(header(undefined, 'Spec ID Event02\0'))).toThrow(
            new EventLogError(32, 'not a crypto-agile log: spec ID signature is "Spec ID Event02\\u0000", expected "Spec ID Event03\\0"'),
        );
        expect(() => parseEventLog(header([[SHA256, 32]]))).toThrow(
            new EventLogError(56, 'spec ID header lists no 48-byte SHA-384 digest (algorithm 0x000c)'),
        );
        expect(() => parseEventLog(header([]))).toThrow(
            new EventLogError(56, 'spec ID header lists 0 digest algorithms, expected 1..32'),
        );
    });

    test('bad events are refused with the offset of the fault', () => {
        const sha1 = Buffer.concat([header(), event(1, 0xd, [[0x0004, fill(1, 20)]], '')]);
        expect(() => parseEventLog(sha1)).toThrow(new EventLogError(83, 'digest algorithm 0x0004 is not listed in the spec ID header'));
        const badIndex = Buffer.concat([header(), events[0], event(7, 0xd, [[SHA384, fill(1, 48)]], '')]);
        expect(() => parseEventLog(badIndex)).toThrow(
            new EventLogError(175, 'MR index 7 is not an RTMR (CCEL uses 1..4 for RTMR0..3)'),
        );
        const tooMany = Buffer.concat([header(), event(1, 0xd, [[SHA384, fill(1, 48)], [SHA384, fill(1, 48)], [SHA384, fill(1, 48)]], '')]);
        expect(() => parseEventLog(tooMany)).toThrow(new EventLogError(79, 'event has 3 digests, but the header lists 2 algorithms'));
        const noSha384 = parseEventLog(Buffer.concat([header(), event(2, 0xd, [[SHA256, fill(1, 32)]], '')]));
        expect(() => replayEventLog(noSha384)).toThrow(new EventLogError(71, 'event has no SHA-384 digest to replay'));
    });
});
