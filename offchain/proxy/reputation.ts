// The seed's worker reputation: what each worker contract did over a sliding window, the score selection uses, and
// the figures the proxy publishes on its contract (spec offchain.md "Reputation").

/** Weight of the newest request in the recent average duration. */
const EWMA_ALPHA = 0.2;
const DEFAULT_DURATION_MS = 1000;
/** A first token this late halves the speed factor of the score. */
const TTFT_HALF_SCORE_MS = 1000;
export const MAX_SCORE = 10_000;
const FIGURES_TTL_MS = 1000;

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
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** One worker contract's record: kept across reconnects, since the contract is the worker's identity. */
export class WorkerRecord {
    /** Recent average request duration (for the expected completion time of a new request). */
    durationMs = DEFAULT_DURATION_MS;
    private samples: Sample[] = [];
    /** Figures as last computed, reused until a new request or a second later (the window slides): selection reads them per request. */
    private cached: { at: number; figures: ReputationFigures } | null = null;

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
        } else {
            this.samples.push({ at, failure: o.kind, ttftMs: null, tokensPerSecond: null });
        }
        this.cached = null;
        this.prune(at);
    }

    private prune(now: number): void {
        const from = now - this.windowMs;
        let i = 0;
        while (i < this.samples.length && this.samples[i].at < from) i++;
        if (i > 0) this.samples = this.samples.slice(i);
    }

    /** `now` given by a caller that reads many records at one moment (selection). */
    figures(now = this.now()): ReputationFigures {
        if (this.cached && now - this.cached.at < FIGURES_TTL_MS) return this.cached.figures;
        this.prune(now);
        const failures: Record<string, number> = {};
        const ttft: number[] = [];
        const tps: number[] = [];
        for (const s of this.samples) {
            if (s.failure !== null) failures[s.failure] = (failures[s.failure] ?? 0) + 1;
            if (s.ttftMs !== null) ttft.push(s.ttftMs);
            if (s.tokensPerSecond !== null) tps.push(s.tokensPerSecond);
        }
        const requests = this.samples.length;
        const successes = requests - Object.values(failures).reduce((a, b) => a + b, 0);
        const ttftP50Ms = percentile(ttft, 0.5);
        // Laplace-style: a worker without history starts at the top and one failure does not sink it.
        const reliability = (successes + 1) / (requests + 1);
        const speed = ttftP50Ms === null ? 1 : TTFT_HALF_SCORE_MS / (TTFT_HALF_SCORE_MS + ttftP50Ms);
        const figures = {
            score: Math.round(MAX_SCORE * reliability * speed),
            requests,
            successes,
            failures,
            ttftP50Ms,
            ttftP90Ms: percentile(ttft, 0.9),
            tokensPerSecondP50: percentile(tps, 0.5),
            windowSeconds: this.windowMs / 1000,
        };
        this.cached = { at: now, figures };
        return figures;
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
