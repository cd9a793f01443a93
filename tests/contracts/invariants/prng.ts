/**
 * A small seeded generator (mulberry32) so that a failing run of the invariant test can be replayed exactly:
 * the test prints its seed, and `INVARIANT_SEED=<seed>` runs the same operations again.
 */
export class InvalidEnvError extends Error {
    constructor(name: string, range: string, value: string) {
        super(`${name} must be an integer between ${range}, got ${JSON.stringify(value)}`);
        this.name = 'InvalidEnvError';
    }
}

export class Prng {
    private state: number;

    constructor(readonly seed: number) {
        this.state = seed >>> 0;
    }

    /** A uniform 32-bit unsigned integer. */
    next(): number {
        this.state = (this.state + 0x6d2b79f5) >>> 0;
        let t = this.state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return (t ^ (t >>> 14)) >>> 0;
    }

    /** A uniform integer in [lo, hi] (both inclusive, hi − lo < 2^32). */
    int(lo: number, hi: number): number {
        return lo + (this.next() % (hi - lo + 1));
    }

    /** A uniform bigint in [lo, hi] (both inclusive), from as many 32-bit draws as needed. */
    big(lo: bigint, hi: bigint): bigint {
        const span = hi - lo + 1n;
        let r = 0n;
        for (let bits = 0n; 1n << bits < span * 1024n; bits += 32n) r = (r << 32n) | BigInt(this.next());
        return lo + (r % span);
    }

    chance(p: number): boolean {
        return this.next() / 0x1_0000_0000 < p;
    }

    pick<T>(items: readonly T[]): T {
        if (items.length === 0) throw new RangeError('pick from an empty list');
        return items[this.int(0, items.length - 1)];
    }

    /** An index chosen with the given non-negative weights. */
    weighted(weights: readonly number[]): number {
        const total = weights.reduce((a, b) => a + b, 0);
        let r = (this.next() / 0x1_0000_0000) * total;
        for (let i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0 && weights[i] > 0) return i;
        }
        let last = weights.length - 1;
        while (last > 0 && weights[last] <= 0) last--;
        return last;
    }
}

/** The seed from `INVARIANT_SEED`, or a fresh one. */
export function seedFromEnv(env: NodeJS.ProcessEnv = process.env): number {
    const v = env.INVARIANT_SEED;
    if (v === undefined || v === '') return (Date.now() ^ (process.pid << 16)) >>> 0;
    if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) throw new InvalidEnvError('INVARIANT_SEED', '0 and 4294967295', v);
    return Number(v);
}

/** The run length from `INVARIANT_STEPS`, or `fallback`. */
export function stepsFromEnv(fallback: number, env: NodeJS.ProcessEnv = process.env): number {
    const v = env.INVARIANT_STEPS;
    if (v === undefined || v === '') return fallback;
    if (!/^\d+$/.test(v) || Number(v) < 20 || Number(v) > 100_000) throw new InvalidEnvError('INVARIANT_STEPS', '20 and 100000', v);
    return Number(v);
}
