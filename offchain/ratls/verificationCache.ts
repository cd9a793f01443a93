/**
 * Per-certificate results keyed by fingerprint, kept until the certificate expires. Bounded: past `maxEntries`
 * the oldest entry goes first.
 */
export class VerificationCache<T> {
    private readonly entries = new Map<string, { value: T; expiresAt: number }>();

    constructor(private readonly maxEntries = 4096) {}

    get(fingerprint: string, now: Date): T | undefined {
        const entry = this.entries.get(fingerprint);
        if (!entry) return undefined;
        if (entry.expiresAt <= now.getTime()) {
            this.entries.delete(fingerprint);
            return undefined;
        }
        return entry.value;
    }

    set(fingerprint: string, value: T, expiresAt: Date): void {
        this.entries.delete(fingerprint);
        if (this.entries.size >= this.maxEntries) {
            const oldest = this.entries.keys().next().value as string;
            this.entries.delete(oldest);
        }
        this.entries.set(fingerprint, { value, expiresAt: expiresAt.getTime() });
    }

    get size(): number {
        return this.entries.size;
    }

    clear(): void {
        this.entries.clear();
    }
}
