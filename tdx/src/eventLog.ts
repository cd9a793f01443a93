import { EventLogError } from './errors';
import { extendRtmr, RTMR_BYTES, zeroRtmr } from './rtmr';

/**
 * The TCG crypto-agile event log as TDVF leaves it in ACPI CCEL (`/sys/firmware/acpi/tables/data/CCEL`): a
 * TCG_PCR_EVENT spec-ID header (SHA-1 layout), then TCG_PCR_EVENT2 records, all little-endian, ending at an
 * MR index of 0xFFFFFFFF, at zero fill, or at the end of the data. CCEL MR index 1..4 is RTMR0..3.
 */

export const EV_NO_ACTION = 0x3;
export const TPM_ALG_SHA384 = 0x000c;
const SPEC_ID_SIGNATURE = 'Spec ID Event03\0';
const END_MARKER = 0xffffffff;
/** Far more than any real log lists; bounds the work a garbage count can cause. */
const MAX_ALGORITHMS = 32;

export interface AlgorithmSize {
    readonly algorithmId: number;
    readonly digestSize: number;
}

export interface SpecIdHeader {
    readonly platformClass: number;
    readonly specVersion: string;
    readonly uintnSize: number;
    readonly algorithms: readonly AlgorithmSize[];
    readonly vendorInfo: Buffer;
}

export interface EventDigest {
    readonly algorithmId: number;
    readonly digest: Buffer;
}

export interface LogEvent {
    readonly offset: number;
    readonly mrIndex: number;
    readonly eventType: number;
    readonly digests: readonly EventDigest[];
    readonly data: Buffer;
}

export interface EventLog {
    readonly header: SpecIdHeader;
    readonly events: readonly LogEvent[];
    /** Where parsing stopped: the end marker, the zero fill, or the end of the data. */
    readonly endOffset: number;
}

class Cursor {
    constructor(
        private readonly buf: Buffer,
        public pos: number,
        private readonly end: number,
    ) {}

    get remaining(): number {
        return this.end - this.pos;
    }

    take(n: number, what: string): Buffer {
        if (n > this.remaining) {
            throw new EventLogError(this.pos, `truncated: ${what} needs ${n} bytes, ${this.remaining} left`);
        }
        const out = this.buf.subarray(this.pos, this.pos + n);
        this.pos += n;
        return out;
    }

    u8(what: string): number {
        return this.take(1, what).readUInt8(0);
    }

    u16(what: string): number {
        return this.take(2, what).readUInt16LE(0);
    }

    u32(what: string): number {
        return this.take(4, what).readUInt32LE(0);
    }
}

export function parseEventLog(buf: Buffer): EventLog {
    const cur = new Cursor(buf, 0, buf.length);
    const header = parseSpecIdEvent(buf, cur);
    const sizes = new Map(header.algorithms.map((a) => [a.algorithmId, a.digestSize]));
    const events: LogEvent[] = [];
    while (cur.remaining > 0 && !atEnd(buf, cur.pos)) events.push(parseEvent(cur, sizes));
    return { header, events, endOffset: cur.pos };
}

function atEnd(buf: Buffer, pos: number): boolean {
    if (buf.length - pos >= 4 && buf.readUInt32LE(pos) === END_MARKER) return true;
    return buf.subarray(pos).every((b) => b === 0);
}

function parseSpecIdEvent(buf: Buffer, cur: Cursor): SpecIdHeader {
    // A common mix-up: /sys/firmware/acpi/tables/CCEL is the ACPI table that points at the log, not the log.
    if (buf.subarray(0, 4).toString('latin1') === 'CCEL') {
        throw new EventLogError(0, 'this is the ACPI CCEL table, not the event log it points to (read /sys/firmware/acpi/tables/data/CCEL)');
    }
    const mrIndex = cur.u32('spec ID event MR index');
    const eventType = cur.u32('spec ID event type');
    if (mrIndex !== 0 || eventType !== EV_NO_ACTION) {
        throw new EventLogError(0, `not a TCG event log: first event has MR index ${mrIndex} and type 0x${eventType.toString(16)}, expected 0 and EV_NO_ACTION (0x3)`);
    }
    cur.take(20, 'spec ID event SHA-1 digest');
    const size = cur.u32('spec ID event size');
    const start = cur.pos;
    cur.take(size, 'spec ID event data');
    const ev = new Cursor(buf, start, start + size);
    const signature = ev.take(16, 'spec ID signature').toString('latin1');
    if (signature !== SPEC_ID_SIGNATURE) {
        throw new EventLogError(start, `not a crypto-agile log: spec ID signature is ${JSON.stringify(signature)}, expected "Spec ID Event03\\0"`);
    }
    const platformClass = ev.u32('platform class');
    const minor = ev.u8('spec version minor');
    const major = ev.u8('spec version major');
    const errata = ev.u8('spec errata');
    const uintnSize = ev.u8('uintn size');
    const countAt = ev.pos;
    const count = ev.u32('number of algorithms');
    if (count === 0 || count > MAX_ALGORITHMS) {
        throw new EventLogError(countAt, `spec ID header lists ${count} digest algorithms, expected 1..${MAX_ALGORITHMS}`);
    }
    const algorithms: AlgorithmSize[] = [];
    for (let i = 0; i < count; i++) {
        algorithms.push({ algorithmId: ev.u16('algorithm id'), digestSize: ev.u16('digest size') });
    }
    const sha384 = algorithms.find((a) => a.algorithmId === TPM_ALG_SHA384);
    if (!sha384 || sha384.digestSize !== RTMR_BYTES) {
        throw new EventLogError(countAt, 'spec ID header lists no 48-byte SHA-384 digest (algorithm 0x000c)');
    }
    const vendorInfo = ev.take(ev.u8('vendor info size'), 'vendor info');
    return { platformClass, specVersion: `${major}.${minor}.${errata}`, uintnSize, algorithms, vendorInfo };
}

function parseEvent(cur: Cursor, sizes: Map<number, number>): LogEvent {
    const offset = cur.pos;
    const mrIndex = cur.u32('MR index');
    const eventType = cur.u32('event type');
    const countAt = cur.pos;
    const count = cur.u32('digest count');
    if (count > sizes.size) {
        throw new EventLogError(countAt, `event has ${count} digests, but the header lists ${sizes.size} algorithms`);
    }
    const digests: EventDigest[] = [];
    for (let i = 0; i < count; i++) {
        const algAt = cur.pos;
        const algorithmId = cur.u16('digest algorithm');
        const size = sizes.get(algorithmId);
        if (size === undefined) {
            throw new EventLogError(algAt, `digest algorithm 0x${algorithmId.toString(16).padStart(4, '0')} is not listed in the spec ID header`);
        }
        digests.push({ algorithmId, digest: cur.take(size, 'digest') });
    }
    const data = cur.take(cur.u32('event size'), 'event data');
    if (eventType !== EV_NO_ACTION && (mrIndex < 1 || mrIndex > 4)) {
        throw new EventLogError(offset, `MR index ${mrIndex} is not an RTMR (CCEL uses 1..4 for RTMR0..3)`);
    }
    return { offset, mrIndex, eventType, digests, data };
}

/** RTMR0..3 rebuilt from the log's SHA-384 digests; EV_NO_ACTION events are not measured. */
export function replayEventLog(log: EventLog): [Buffer, Buffer, Buffer, Buffer] {
    const rtmrs: [Buffer, Buffer, Buffer, Buffer] = [zeroRtmr(), zeroRtmr(), zeroRtmr(), zeroRtmr()];
    for (const ev of log.events) {
        if (ev.eventType === EV_NO_ACTION) continue;
        const d = ev.digests.find((x) => x.algorithmId === TPM_ALG_SHA384);
        if (!d) throw new EventLogError(ev.offset, 'event has no SHA-384 digest to replay');
        rtmrs[ev.mrIndex - 1] = extendRtmr(rtmrs[ev.mrIndex - 1], d.digest);
    }
    return rtmrs;
}
