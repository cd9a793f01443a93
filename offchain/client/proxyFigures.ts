import { withoutFlush, type Db } from '../runtime';

/** A first answer byte this late halves the speed factor of a proxy's score. */
const LATENCY_HALF_SCORE_MS = 1000;
/** Rows older than the window are deleted every this many samples. */
const PRUNE_EVERY = 100;

/** Outcomes that say nothing about the proxy (the caller's own request or credit). */
const NOT_THE_PROXYS = new Set(['aborted', 'insufficient_credit', 'bad_request', 'invalid_request', 'unknown_model']);

export interface ProxyFigures {
    endpoint: string;
    connects: number;
    connectFailures: number;
    requests: number;
    failures: Record<string, number>;
    /** p50 time from sending a request to its answer's head. */
    timeToHeadP50Ms: number | null;
    /** 0 (worst) to 10000 (best). */
    score: number;
}

/**
 * What this client saw of each proxy over a sliding window (connections, requests, failures by kind, time to the
 * answer's head), kept in its database so that a restarted client still prefers the proxies that served it well.
 */
export class ProxyScoreboard {
    private samples = 0;

    constructor(
        private readonly db: Db,
        private readonly windowMs: number,
        private readonly now: () => number = Date.now,
    ) {}

    connected(endpoint: string): void {
        this.add(endpoint, 'connect', 'ok', null);
    }

    connectFailed(endpoint: string, check: string): void {
        this.add(endpoint, 'connect', check, null);
    }

    /** A finished request: 'ok' or its error code; requests that fail for the caller's own reasons are not counted. */
    request(endpoint: string, outcome: string, timeToHeadMs: number | null): void {
        if (NOT_THE_PROXYS.has(outcome)) return;
        this.add(endpoint, 'request', outcome, timeToHeadMs);
    }

    private add(endpoint: string, kind: 'connect' | 'request', outcome: string, ms: number | null): void {
        const at = this.now();
        withoutFlush(this.db, () => {
            this.db.prepare('INSERT INTO proxy_samples (endpoint, at, kind, outcome, ms) VALUES (?, ?, ?, ?, ?)').run(endpoint, at, kind, outcome, ms);
            if (++this.samples % PRUNE_EVERY === 0) this.db.prepare('DELETE FROM proxy_samples WHERE at < ?').run(at - this.windowMs);
        });
    }

    figures(endpoint: string): ProxyFigures {
        const rows = this.db
            .prepare('SELECT kind, outcome, ms FROM proxy_samples WHERE endpoint = ? AND at >= ?')
            .all(endpoint, this.now() - this.windowMs) as { kind: string; outcome: string; ms: number | null }[];
        const f: ProxyFigures = { endpoint, connects: 0, connectFailures: 0, requests: 0, failures: {}, timeToHeadP50Ms: null, score: 0 };
        const heads: number[] = [];
        for (const r of rows) {
            if (r.kind === 'connect') {
                if (r.outcome === 'ok') f.connects++;
                else f.connectFailures++;
                continue;
            }
            f.requests++;
            if (r.outcome !== 'ok') f.failures[r.outcome] = (f.failures[r.outcome] ?? 0) + 1;
            if (r.ms !== null) heads.push(r.ms);
        }
        heads.sort((a, b) => a - b);
        f.timeToHeadP50Ms = heads.length > 0 ? heads[Math.floor(heads.length / 2)] : null;
        const failed = Object.values(f.failures).reduce((a, b) => a + b, 0);
        // a proxy never seen starts at the top, as a worker does at the proxy
        const reliability = ((f.requests - failed + 1) / (f.requests + 1)) * ((f.connects + 1) / (f.connects + f.connectFailures + 1));
        const speed = f.timeToHeadP50Ms === null ? 1 : LATENCY_HALF_SCORE_MS / (LATENCY_HALF_SCORE_MS + f.timeToHeadP50Ms);
        f.score = Math.round(10_000 * reliability * speed);
        return f;
    }

    /** Best score first; proxies with equal scores (e.g. none seen yet) in random order. */
    order(endpoints: string[]): string[] {
        const scores = new Map(endpoints.map((e) => [e, this.figures(e).score]));
        return [...endpoints].sort(() => Math.random() - 0.5).sort((a, b) => scores.get(b)! - scores.get(a)!);
    }

    /** Figures of every proxy with a sample in the window. */
    all(): ProxyFigures[] {
        const endpoints = this.db.prepare('SELECT DISTINCT endpoint FROM proxy_samples WHERE at >= ? ORDER BY endpoint').all(this.now() - this.windowMs) as { endpoint: string }[];
        return endpoints.map((r) => this.figures(r.endpoint));
    }
}
