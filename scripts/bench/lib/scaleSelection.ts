// Worker selection alone: µs per pick of WorkerPool.select over n connected workers of one model, in the steady
// state of the scale run (each worker holding about `perWorker` requests, the oldest finishing as new ones start).
import { WorkerConn, WorkerPool } from '../../../offchain/proxy/workerPool';
import { ReputationBook } from '../../../offchain/proxy/reputation';
import type { WorkerAccount } from '../../../offchain/proxy/accounts';

const MODEL = 'bench-model';

/** µs per select() over `workers` workers, timed over `picks` picks after as many for warm-up. */
export function selectionMicros(workers: number, picks: number, perWorker = 10): number {
    const pool = new WorkerPool(new ReputationBook(3600));
    for (let i = 0; i < workers; i++) {
        const record = pool.reputation.of(`worker-${i}`);
        // a little history, so each worker's figures (score, first-token time) are real ones
        for (let k = 0; k < 5; k++) record.record({ ok: true, durationMs: 900 + ((i * 7 + k) % 200), ttftMs: 40 + ((i + k) % 30), completionTokens: 20, streamMs: 800 });
        const conn = { send: () => true } as unknown as WorkerConn['conn'];
        pool.add(new WorkerConn(i + 1, record, conn, { key: `worker-${i}` } as WorkerAccount, `${MODEL}@v1:abc`, 1000, perWorker * 4, true));
    }
    // a ring of the requests in flight: each pick ends the oldest one once every worker holds `perWorker`
    const inFlight: (WorkerConn | undefined)[] = new Array(workers * perWorker);
    let next = 0;
    const none = new Set<number>();
    const pick = () => {
        const s = pool.select(MODEL, 1000, none);
        if (!('worker' in s)) throw new Error(`selection failed: ${s.message}`);
        s.worker.running++;
        const oldest = inFlight[next];
        if (oldest) oldest.running--;
        inFlight[next] = s.worker;
        next = (next + 1) % inFlight.length;
    };
    for (let i = 0; i < picks; i++) pick();
    const started = process.hrtime.bigint();
    for (let i = 0; i < picks; i++) pick();
    return Number(process.hrtime.bigint() - started) / 1000 / picks;
}
