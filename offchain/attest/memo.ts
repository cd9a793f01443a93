import { createHash } from 'crypto';

/** Inputs up to this many bytes (a raw P-256 key) are keyed by their bytes as a string, cheaper than a hash. */
const SHORT = 64;

/**
 * A bounded memo keyed by exact bytes or text. X.509 parsing with @peculiar/x509 costs ~2 ms a certificate, and the
 * same Intel chains, CRLs and collateral texts come back in every quote, so parsed results are kept. Values must be
 * treated as read-only by every caller: one object stands for its bytes (see signatureCache.ts). Bytes stand for
 * their latin1 text, as the PEM decoder reads them. Longer byte inputs are looked up by their SHA-256 (cheaper for
 * a 3.5 KB PCK chain than V8 hashing it as a string) and the stored copy compared, so a hit always has the exact
 * bytes. In each map the least recently used entry goes first.
 */
export class BytesMemo<T> {
    private readonly texts = new Map<string, T>();
    private readonly bytes = new Map<string, { bytes: Buffer; value: T }>();

    constructor(private readonly capacity: number) {}

    get(input: Uint8Array | string, make: () => T): T {
        if (typeof input === 'string') return this.text(input, make);
        if (input.byteLength <= SHORT) return this.text(String.fromCharCode(...input), make);
        const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
        const key = createHash('sha256').update(bytes).digest('base64');
        const hit = this.bytes.get(key);
        if (hit?.bytes.equals(bytes)) return refresh(this.bytes, key, hit).value;
        return add(this.bytes, this.capacity, key, { bytes: Buffer.from(bytes), value: make() }).value;
    }

    private text(text: string, make: () => T): T {
        const hit = this.texts.get(text);
        if (hit !== undefined) return refresh(this.texts, text, hit);
        return add(this.texts, this.capacity, text, make());
    }
}

function refresh<V>(map: Map<string, V>, key: string, value: V): V {
    map.delete(key);
    map.set(key, value);
    return value;
}

function add<V>(map: Map<string, V>, capacity: number, key: string, value: V): V {
    map.delete(key);
    if (map.size >= capacity) map.delete(map.keys().next().value as string);
    map.set(key, value);
    return value;
}
