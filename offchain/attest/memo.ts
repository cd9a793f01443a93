/**
 * A bounded memo keyed by bytes. X.509 parsing with @peculiar/x509 costs ~2 ms a certificate, and the same Intel
 * chains and CRLs come back in every quote, so parsed results are kept (never verification results: signatures and
 * validity are checked on every call). The least recently used entry goes first.
 */
export class BytesMemo<T> {
    private readonly map = new Map<string, T>();

    constructor(private readonly capacity: number) {}

    get(bytes: Uint8Array, make: () => T): T {
        const key = Buffer.from(bytes).toString('base64');
        const hit = this.map.get(key);
        if (hit !== undefined) {
            this.map.delete(key);
            this.map.set(key, hit);
            return hit;
        }
        const value = make();
        if (this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value as string);
        this.map.set(key, value);
        return value;
    }
}
