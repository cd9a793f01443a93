/** A CCEL event log built byte by byte, shared by the parser and CLI tests. */

const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n >>> 0);
    return b;
};
const u16 = (n: number): Buffer => Buffer.from([n & 0xff, n >> 8]);
export const fill = (byte: number, n: number): Buffer => Buffer.alloc(n, byte);

/** TCG_PCR_EVENT spec-ID header listing the given (algorithm, size) pairs; 71 bytes with two algorithms. */
export function header(algs: [number, number][] = [[0x000b, 32], [0x000c, 48]], signature = 'Spec ID Event03\0'): Buffer {
    const body = Buffer.concat([
        Buffer.from(signature, 'latin1'),
        u32(0), // platform class
        Buffer.from([0, 2, 0, 2]), // version 2.0, errata 0, uintn size 2 (64-bit)
        u32(algs.length),
        ...algs.flatMap(([id, size]) => [u16(id), u16(size)]),
        Buffer.from([2, 0xab, 0xcd]), // vendor info
    ]);
    return Buffer.concat([u32(0), u32(0x3), fill(0, 20), u32(body.length), body]);
}

/** TCG_PCR_EVENT2. */
export function event(mrIndex: number, type: number, digests: [number, Buffer][], data: string): Buffer {
    return Buffer.concat([
        u32(mrIndex),
        u32(type),
        u32(digests.length),
        ...digests.flatMap(([alg, d]) => [u16(alg), d]),
        u32(data.length),
        Buffer.from(data, 'latin1'),
    ]);
}

export const SHA256 = 0x000b;
export const SHA384 = 0x000c;
export const events = [
    event(1, 0x80000008, [[SHA256, fill(0x11, 32)], [SHA384, fill(0x22, 48)]], 'fw\0\0'), // RTMR0, 104 bytes
    event(1, 0x3, [[SHA384, fill(0x33, 48)]], ''), // EV_NO_ACTION: not measured
    event(2, 0x80000003, [[SHA384, fill(0x44, 48)]], 'bootloader'), // RTMR1
    event(3, 0xd, [[SHA384, fill(0x55, 48)]], 'console=ttyS0 roothash=ab'), // RTMR2
    event(3, 0xd, [[SHA256, fill(0x01, 32)], [SHA384, fill(0x66, 48)]], 'initrd'), // RTMR2
    event(4, 0xd, [[SHA384, fill(0x77, 48)]], 'os'), // RTMR3
];
export const log = Buffer.concat([header(), ...events, fill(0xff, 24)]);
export const eventsEnd = log.length - 24;

