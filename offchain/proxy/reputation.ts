// The seed's worker reputation: what each worker contract did over a sliding window, the score selection uses, and
// the figures the proxy publishes on its contract (spec offchain.md "Reputation").

/** Weight of the newest request in the recent average duration. */
const EWMA_ALPHA = 0.2;
const DEFAULT_DURATION_MS = 1000;
/** A first token this late halves the speed factor of the score. */
const TTFT_HALF_SCORE_MS = 1000;
export const MAX_SCORE = 10_000;
/** Selection reuses a worker's percentiles this long: sorting the window on every request would cost O(n log n) each. */
export const SELECTION_PERCENTILES_MS = 1000;

/** What one request did on a worker. */
export type Outcome =
    | { ok: true; durationMs: number; ttftMs: number | null; completionTokens: number; streamMs: number | null }
    | { ok: false; kind: string };

interface Sample {
    at: number;
    failure: string | null;
    ttftMs: number | null;
    tokensPerSecond: number | null;
}

/** A worker's figures over the window (shape shared with the status page and `cocoon reputation`). */
export interface ReputationFigures {
    /** 0 (worst) to 10000 (best). */
    score: number;
    requests: number;
    successes: number;
    /** Failures by kind (engine_error, timeout, first_token_timeout, disconnect, …). */
    failures: Record<string, number>;
    ttftP50Ms: number | null;
    ttftP90Ms: number | null;
    tokensPerSecondP50: number | null;
    windowSeconds: number;
}

function percentile(values: number[], p: number): number | null {
    if (values.length === 0) return null;
    const sorted = values.sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** One worker contract's record: kept across reconnects, since the contract is the worker's identity. */
export class WorkerRecord {
    /** Recent average request duration (for the expected completion time of a new request). */
    durationMs = DEFAULT_DURATION_MS;
    /** The window's samples, oldest first, from `head` on (those before it have slid out and wait to be dropped). */
    private samples: Sample[] = [];
    private head = 0;
    /** Counts over the window, kept as samples come and go: selection reads the score on every request. */
    private failureCount = 0;
    private readonly failures: Record<string, number> = {};
    /** Percentiles need a sort of the window: computed again only when samples came or went since (`stale`). */
    private percentiles: { at: number; samples: number; ttftP50Ms: number | null; ttftP90Ms: number | null; tokensPerSecondP50: number | null } | null = null;
    private stale = false;

    constructor(
        private readonly windowMs: number,
        private readonly now: () => number,
    ) {}

    record(o: Outcome): void {
        const at = this.now();
        if (o.ok) {
            this.durationMs += EWMA_ALPHA * (o.durationMs - this.durationMs);
            const tokensPerSecond = o.streamMs && o.streamMs > 0 && o.completionTokens > 0 ? (o.completionTokens * 1000) / o.streamMs : null;
            this.samples.push({ at, failure: null, ttftMs: o.ttftMs, tokensPerSecond });
            this.stale = true;
        } else {
            this.samples.push({ at, failure: o.kind, ttftMs: null, tokensPerSecond: null });
            this.failures[o.kind] = (this.failures[o.kind] ?? 0) + 1;
            this.failureCount++;
        }
        this.prune(at);
    }

    private prune(now: number): void {
        const from = now - this.windowMs;
        const first = this.head;
        while (this.head < this.samples.length && this.samples[this.head].at < from) {
            const kind = this.samples[this.head++].failure;
            if (kind === null) continue;
            this.failureCount--;
            if (--this.failures[kind] === 0) delete this.failures[kind];
        }
        if (this.head > first) this.stale = true;
        // drop the slid-out samples once they are half the array, so dropping costs O(1) per sample
        if (this.head > 1024 && this.head * 2 > this.samples.length) {
            this.samples = this.samples.slice(this.head);
            this.head = 0;
        }
    }

    /**
     * What selection needs at `now` (read once per pick): the score and the typical time to first token, with
     * percentiles up to SELECTION_PERCENTILES_MS old (the counts, and so the reliability, are always exact).
     */
    forSelection(now: number): { score: number; ttftP50Ms: number | null } {
        this.prune(now);
        const { ttftP50Ms } = this.percentilesAt(now, SELECTION_PERCENTILES_MS);
        return { score: this.score(ttftP50Ms), ttftP50Ms };
    }

    /** The figures now, exact (status and publication). */
    figures(): ReputationFigures {
        const now = this.now();
        this.prune(now);
        const { ttftP50Ms, ttftP90Ms, tokensPerSecondP50 } = this.percentilesAt(now, 0);
        const requests = this.samples.length - this.head;
        return {
            score: this.score(ttftP50Ms),
            requests,
            successes: requests - this.failureCount,
            failures: { ...this.failures },
            ttftP50Ms,
            ttftP90Ms,
            tokensPerSecondP50,
            windowSeconds: this.windowMs / 1000,
        };
    }

    private score(ttftP50Ms: number | null): number {
        const requests = this.samples.length - this.head;
        // Laplace-style: a worker without history starts at the top and one failure does not sink it.
        const reliability = (requests - this.failureCount + 1) / (requests + 1);
        const speed = ttftP50Ms === null ? 1 : TTFT_HALF_SCORE_MS / (TTFT_HALF_SCORE_MS + ttftP50Ms);
        return Math.round(MAX_SCORE * reliability * speed);
    }

    /** The window's percentiles, computed again when samples came or went and the last are at least `maxAgeMs` old. */
    private percentilesAt(now: number, maxAgeMs: number): NonNullable<WorkerRecord['percentiles']> {
        // a first sample always counts at once: a newcomer's first request must show a slow worker as slow
        if (!this.percentiles || (this.stale && (now - this.percentiles.at >= maxAgeMs || this.percentiles.samples === 0))) {
            this.stale = false;
            const ttft: number[] = [];
            const tps: number[] = [];
            for (let i = this.head; i < this.samples.length; i++) {
                const s = this.samples[i];
                if (s.ttftMs !== null) ttft.push(s.ttftMs);
                if (s.tokensPerSecond !== null) tps.push(s.tokensPerSecond);
            }
            this.percentiles = {
                at: now,
                samples: this.samples.length - this.head,
                ttftP50Ms: percentile(ttft, 0.5),
                ttftP90Ms: percentile(ttft, 0.9),
                tokensPerSecondP50: percentile(tps, 0.5),
            };
        }
        return this.percentiles;
    }
}

/** Every worker contract's record, by contract address (raw form). */
export class ReputationBook {
    private readonly records = new Map<string, WorkerRecord>();
    private readonly windowMs: number;

    constructor(
        windowSeconds: number,
        /** The clock of every record (tests set it). */
        readonly now: () => number = Date.now,
    ) {
        this.windowMs = windowSeconds * 1000;
    }

    get windowSeconds(): number {
        return this.windowMs / 1000;
    }

    of(workerContract: string): WorkerRecord {
        let r = this.records.get(workerContract);
        if (!r) {
            r = new WorkerRecord(this.windowMs, this.now);
            this.records.set(workerContract, r);
        }
        return r;
    }

    /** Figures of every worker with a request in the window. */
    all(): Map<string, ReputationFigures> {
        const out = new Map<string, ReputationFigures>();
        for (const [key, r] of this.records) {
            const f = r.figures();
            if (f.requests > 0) out.set(key, f);
        }
        return out;
    }
}
