import { QuoteParseError } from './errors';

/** Little-endian cursor over quote bytes; running past the end is a QuoteParseError naming the field and offset. */
export class ByteReader {
    offset = 0;

    /** `base`: where `bytes` starts in the whole quote, so errors name absolute offsets. */
    constructor(
        readonly bytes: Uint8Array,
        readonly base = 0,
    ) {}

    /** Absolute offset of the cursor in the whole quote. */
    get position(): number {
        return this.base + this.offset;
    }

    get remaining(): number {
        return this.bytes.length - this.offset;
    }

    take(n: number, field: string): Uint8Array {
        if (n > this.remaining) {
            throw new QuoteParseError(
                `truncated at offset ${this.base + this.bytes.length}: ${field} needs ${n} bytes at offset ${this.position}, ${this.remaining} left`,
            );
        }
        const out = this.bytes.subarray(this.offset, this.offset + n);
        this.offset += n;
        return out;
    }

    u16(field: string): number {
        const b = this.take(2, field);
        return b[0] | (b[1] << 8);
    }

    u32(field: string): number {
        const b = this.take(4, field);
        return (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 0x1000000;
    }
}
