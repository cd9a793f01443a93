import type { ErrorCode, ModelInfo, ProtocolConnection, ProxyToWorker } from '../protocol';
import type { WorkerAccount } from './accounts';
import { MAX_SCORE, ReputationBook, type WorkerRecord } from './reputation';

/** A score this low counts as this much (so that a cost stays finite and a recovered worker gets traffic again). */
const MIN_SCORE = 500;

/** The text before '@' of a full model name: what clients ask for. */
export const baseModel = (model: string): string => model.split('@')[0];

/** One worker connection past its handshake. */
export class WorkerConn {
    running = 0;
    /** The model's base name (what clients ask for), split once: selection reads it for every worker per request. */
    readonly base: string;

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
    ) {
        this.base = baseModel(model);
    }

    /**
     * Cost of sending a new request here: the expected time until it finishes (running requests × recent duration,
     * plus the typical time to first token) divided by the reputation score, so failing or slow workers get less.
     */
    cost(now: number): number {
        const f = this.record.forSelection(now);
        const expected = (this.running + 1) * this.record.durationMs + (f.ttftP50Ms ?? 0);
        return (expected * MAX_SCORE) / Math.max(f.score, MIN_SCORE);
    }
}

export type Selection = { worker: WorkerConn } | { error: ErrorCode; message: string };

/** The connected workers by model, and the choice of one for a request (spec "Worker selection"). */
export class WorkerPool {
    private readonly conns = new Map<number, WorkerConn>();
    /** The same connections by base model: a request looks only at its model's workers. */
    private readonly byModel = new Map<string, Set<WorkerConn>>();
    /** Base models any worker ever served in this run: unknown_model is for the others. */
    private readonly served = new Set<string>();

    constructor(readonly reputation: ReputationBook) {}

    add(w: WorkerConn): void {
        this.conns.set(w.id, w);
        let same = this.byModel.get(w.base);
        if (!same) this.byModel.set(w.base, (same = new Set()));
        same.add(w);
        this.served.add(w.base);
    }

    remove(w: WorkerConn): void {
        if (!this.conns.delete(w.id)) return;
        const same = this.byModel.get(w.base)!;
        same.delete(w);
        if (same.size === 0) this.byModel.delete(w.base);
    }

    get size(): number {
        return this.conns.size;
    }

    list(): WorkerConn[] {
        return [...this.conns.values()];
    }

    /**
     * The lowest cost among the eligible workers not in `exclude`, ties broken at random: one pass over the model's
     * workers without allocating (it runs per request over up to thousands of workers); why none is eligible is
     * worked out only when none is.
     */
    select(model: string, maxCoefficient: number, exclude: ReadonlySet<number>): Selection {
        let best = Infinity;
        let chosen: WorkerConn | null = null;
        let ties = 0;
        const now = this.reputation.now();
        for (const w of this.byModel.get(model) ?? []) {
            if (!w.enabled || w.coefficient > maxCoefficient || w.running >= w.maxActive || exclude.has(w.id)) continue;
            const s = w.cost(now);
            if (s < best - 1e-9) {
                best = s;
                chosen = w;
                ties = 1;
            } else if (Math.abs(s - best) <= 1e-9 && Math.random() * ++ties < 1) chosen = w; // each of k ties kept with 1/k
        }
        return chosen ? { worker: chosen } : this.refusal(model, maxCoefficient, exclude);
    }

    /** Why no worker of `model` can take a request. */
    private refusal(model: string, maxCoefficient: number, exclude: ReadonlySet<number>): { error: ErrorCode; message: string } {
        const same = [...(this.byModel.get(model) ?? [])].filter((w) => !exclude.has(w.id));
        if (same.length === 0) {
            if (!this.served.has(model)) return { error: 'unknown_model', message: `no worker serves model ${model}` };
            return { error: 'no_workers', message: `no ${exclude.size > 0 ? 'other ' : ''}worker of model ${model} is connected` };
        }
        const enabled = same.filter((w) => w.enabled);
        if (enabled.length === 0) return { error: 'no_workers', message: `no worker of model ${model} is ready` };
        if (enabled.every((w) => w.coefficient > maxCoefficient)) {
            const cheapest = Math.min(...enabled.map((w) => w.coefficient));
            return { error: 'no_workers', message: `workers of model ${model} need coefficient ${cheapest} or more, the request allows ${maxCoefficient}` };
        }
        return { error: 'busy', message: `every worker of model ${model} is at its concurrency limit` };
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
