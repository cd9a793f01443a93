import type { ErrorCode, ModelInfo, ProtocolConnection, ProxyToWorker } from '../protocol';
import type { WorkerAccount } from './accounts';
import { MAX_SCORE, ReputationBook, SELECTION_PERCENTILES_MS, type WorkerRecord } from './reputation';

/** A score this low counts as this much (so that a cost stays finite and a recovered worker gets traffic again). */
const MIN_SCORE = 500;

/** The text before '@' of a full model name: what clients ask for. */
export const baseModel = (model: string): string => model.split('@')[0];

/** One worker connection past its handshake. */
export class WorkerConn {
    running = 0;

    constructor(
        readonly id: number,
        /** The worker contract's reputation (shared by its connections over time). */
        readonly record: WorkerRecord,
        readonly conn: ProtocolConnection<'worker→proxy', ProxyToWorker>,
        readonly account: WorkerAccount,
        readonly model: string,
        public coefficient: number,
        readonly maxActive: number,
        public enabled: boolean,
    ) {}

    get base(): string {
        return baseModel(this.model);
    }

    /**
     * Cost of sending a new request here: the expected time until it finishes (running requests × recent duration,
     * plus the typical time to first token) divided by the reputation score, so failing or slow workers get less.
     */
    cost(): number {
        const f = this.record.figures(SELECTION_PERCENTILES_MS);
        const expected = (this.running + 1) * this.record.durationMs + (f.ttftP50Ms ?? 0);
        return (expected * MAX_SCORE) / Math.max(f.score, MIN_SCORE);
    }
}

export type Selection = { worker: WorkerConn } | { error: ErrorCode; message: string };

/** The connected workers by model, and the choice of one for a request (spec "Worker selection"). */
export class WorkerPool {
    private readonly conns = new Map<number, WorkerConn>();
    /** Base models any worker ever served in this run: unknown_model is for the others. */
    private readonly served = new Set<string>();

    constructor(readonly reputation: ReputationBook) {}

    add(w: WorkerConn): void {
        this.conns.set(w.id, w);
        this.served.add(w.base);
    }

    remove(w: WorkerConn): void {
        this.conns.delete(w.id);
    }

    get size(): number {
        return this.conns.size;
    }

    list(): WorkerConn[] {
        return [...this.conns.values()];
    }

    /** The lowest cost among the eligible workers not in `exclude`, ties broken at random. */
    select(model: string, maxCoefficient: number, exclude: ReadonlySet<number>): Selection {
        const same = this.list().filter((w) => w.base === model && !exclude.has(w.id));
        if (same.length === 0) {
            if (!this.served.has(model)) return { error: 'unknown_model', message: `no worker serves model ${model}` };
            return { error: 'no_workers', message: `no ${exclude.size > 0 ? 'other ' : ''}worker of model ${model} is connected` };
        }
        const ready = same.filter((w) => w.enabled && w.coefficient <= maxCoefficient);
        if (ready.length === 0) {
            const enabled = same.filter((w) => w.enabled);
            if (enabled.length === 0) return { error: 'no_workers', message: `no worker of model ${model} is ready` };
            const cheapest = Math.min(...enabled.map((w) => w.coefficient));
            return { error: 'no_workers', message: `workers of model ${model} need coefficient ${cheapest} or more, the request allows ${maxCoefficient}` };
        }
        const free = ready.filter((w) => w.running < w.maxActive);
        if (free.length === 0) return { error: 'busy', message: `every worker of model ${model} is at its concurrency limit` };
        let best = Infinity;
        let ties: WorkerConn[] = [];
        for (const w of free) {
            const s = w.cost();
            if (s < best - 1e-9) {
                best = s;
                ties = [w];
            } else if (Math.abs(s - best) <= 1e-9) ties.push(w);
        }
        return { worker: ties[Math.floor(Math.random() * ties.length)] };
    }

    /** `models.list`: the enabled workers per base model. */
    models(): ModelInfo[] {
        const byName = new Map<string, ModelInfo>();
        for (const w of this.list()) {
            if (!w.enabled) continue;
            const m = byName.get(w.base) ?? { name: w.base, workers: [] };
            m.workers.push({ coefficient: w.coefficient, activeRequests: w.running, maxActiveRequests: w.maxActive });
            byName.set(w.base, m);
        }
        return [...byName.values()];
    }
}
