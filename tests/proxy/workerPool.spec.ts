import type { WorkerAccount } from '../../offchain/proxy/accounts';
import { ReputationBook } from '../../offchain/proxy/reputation';
import { WorkerConn, WorkerPool } from '../../offchain/proxy/workerPool';

const book = () => new ReputationBook(3600);

/** A worker connection with no socket behind it: selection reads only its model, state and reputation. */
function worker(id: number, o: { model?: string; coefficient?: number; maxActive?: number; enabled?: boolean; running?: number } = {}): WorkerConn {
    const record = book().of(`0:${id}`);
    const w = new WorkerConn(id, record, null as never, {} as WorkerAccount, o.model ?? 'm@c:h', o.coefficient ?? 1000, o.maxActive ?? 4, o.enabled ?? true);
    w.running = o.running ?? 0;
    return w;
}

function pool(...workers: WorkerConn[]): WorkerPool {
    const p = new WorkerPool(book());
    for (const w of workers) p.add(w);
    return p;
}

const pick = (p: WorkerPool, maxCoefficient = 4000, exclude = new Set<number>()) => {
    const s = p.select('m', maxCoefficient, exclude);
    if ('error' in s) throw new Error(`${s.error}: ${s.message}`);
    return s.worker.id;
};

describe('worker selection', () => {
    it('names why nothing can serve a request', () => {
        expect(pool(worker(1)).select('other', 4000, new Set())).toEqual({ error: 'unknown_model', message: 'no worker serves model other' });
        expect(pool(worker(1, { enabled: false })).select('m', 4000, new Set())).toEqual({ error: 'no_workers', message: 'no worker of model m is ready' });
        expect(pool(worker(1, { coefficient: 1500 }), worker(2, { coefficient: 2500 })).select('m', 1000, new Set())).toEqual({
            error: 'no_workers',
            message: 'workers of model m need coefficient 1500 or more, the request allows 1000',
        });
        expect(pool(worker(1, { running: 4 })).select('m', 4000, new Set())).toEqual({ error: 'busy', message: 'every worker of model m is at its concurrency limit' });
        expect(pool(worker(1)).select('m', 4000, new Set([1]))).toEqual({ error: 'no_workers', message: 'no other worker of model m is connected' });
        const gone = pool(worker(1));
        gone.remove(gone.list()[0]);
        expect(gone.select('m', 4000, new Set())).toEqual({ error: 'no_workers', message: 'no worker of model m is connected' });
    });

    it('routes by the base model name, within the client\'s coefficient', () => {
        const p = pool(worker(1, { model: 'x@1:2' }), worker(2, { coefficient: 5000 }), worker(3, { coefficient: 3000 }));
        for (let i = 0; i < 20; i++) expect(pick(p)).toBe(3);
    });

    it('prefers the worker expected to finish first', () => {
        const p = pool(worker(1, { running: 2 }), worker(2, { running: 1 }));
        for (let i = 0; i < 20; i++) expect(pick(p)).toBe(2);
    });

    it('breaks ties at random, so idle workers share the load (COCOON always picked the lowest id)', () => {
        const p = pool(worker(1), worker(2), worker(3));
        const counts = new Map<number, number>();
        for (let i = 0; i < 3000; i++) {
            const id = pick(p);
            counts.set(id, (counts.get(id) ?? 0) + 1);
        }
        for (const id of [1, 2, 3]) expect(counts.get(id)).toBeGreaterThan(800);
    });

    it('sends less to a worker that failed recently or is slow to its first token', () => {
        const failing = worker(1);
        failing.record.record({ ok: false, kind: 'engine_error' });
        const p = pool(failing, worker(2, { running: 1 }));
        // score (0 + 1) / (1 + 1) = 5000: cost 1000 ms × 2 against 2 × 1000 ms for the busy one: a tie
        expect(failing.record.figures().score).toBe(5000);
        expect(failing.cost(Date.now())).toBe(2000);
        failing.record.record({ ok: false, kind: 'timeout' });
        expect(failing.record.figures().score).toBe(3333); // (0 + 1) / (2 + 1)
        expect(pick(p)).toBe(2);

        const slow = worker(3);
        slow.record.record({ ok: true, durationMs: 1000, ttftMs: 1000, completionTokens: 10, streamMs: 0 });
        // speed factor 1000 / (1000 + 1000): score 5000, cost (1000 + 1000) × 2
        expect(slow.record.figures().score).toBe(5000);
        expect(slow.cost(Date.now())).toBe(4000);
        expect(pick(pool(slow, worker(4)))).toBe(4);
    });

    it('lists enabled workers per model with their load', () => {
        const p = pool(worker(1, { running: 2 }), worker(2, { enabled: false }), worker(3, { model: 'n@c:h', coefficient: 1500 }));
        expect(p.models()).toEqual([
            { name: 'm', workers: [{ coefficient: 1000, activeRequests: 2, maxActiveRequests: 4 }] },
            { name: 'n', workers: [{ coefficient: 1500, activeRequests: 0, maxActiveRequests: 4 }] },
        ]);
    });
});
