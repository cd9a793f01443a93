import { createHash, type Hash } from 'crypto';
import {
    adjustUsage,
    bodyHash,
    costOf,
    HTTP_STATUS,
    newRequestId,
    reservationTokens,
    signReceipt,
    type AdjustedTokens,
    type AnswerHead,
    type AnswerPart,
    type ClientQuery,
    type ErrorCode,
    type ProtocolConnection,
    type ProxyToClient,
    type Usage,
    type WorkerAnswerEnd,
    type WorkerAnswerError,
} from '../protocol';
import { availableTokens, type ClientAccount } from './accounts';
import type { ProxyContext } from './context';
import { clientPayment, workerPayment } from './payments';
import type { WorkerConn, WorkerPool } from './workerPool';

/** An authorized client connection, as the router sees it. */
export interface ClientPeer {
    conn: ProtocolConnection<'client→proxy', ProxyToClient>;
    account: ClientAccount;
    /** Requests in flight, by the client's request id. */
    flights: Map<string, Flight>;
}

interface Attempt {
    worker: WorkerConn;
    /** The id the worker sees: fresh per attempt, so two clients' ids never meet on one worker. */
    id: string;
    /** What this request is paid at: the worker connection's coefficient when it was sent. */
    coefficient: number;
    sentAt: number;
    /** Abandons the worker when no first byte comes in time (an engine that hangs). */
    firstByteTimer: NodeJS.Timeout;
}

interface Flight {
    requestId: string;
    client: ClientPeer;
    query: ClientQuery;
    reservation: bigint;
    startedAt: number;
    tried: Set<number>;
    attempt: Attempt | null;
    headSent: boolean;
    firstByteAt: number | null;
    /** SHA-256 of the answer.part data forwarded, for the receipt. */
    response: Hash;
    cancelled: boolean;
    timer: NodeJS.Timeout;
}

interface Failure {
    code: ErrorCode;
    message: string;
    status: number;
    /** What the worker's reputation records, when more precise than the code the client gets. */
    kind?: string;
}

const ZERO: AdjustedTokens = { prompt: 0, cached: 0, completion: 0, reasoning: 0, total: 0 };

/** A request is charged at most its reservation: what is cut comes off completion first (the part the worker caps). */
export function capTokens(t: AdjustedTokens, max: number): AdjustedTokens {
    if (t.total <= max) return t;
    let excess = t.total - max;
    const out = { ...t, total: max };
    for (const k of ['completion', 'reasoning', 'prompt', 'cached'] as const) {
        const cut = Math.min(out[k], excess);
        out[k] -= cut;
        excess -= cut;
    }
    return out;
}

/**
 * Requests from clients to workers and answers back, with the money path of the design: reserve before
 * forwarding, retry on another worker only before the first response byte, account the reported usage (capped at
 * the reservation) to both sides, sign a receipt, push both sides their ledgers.
 *
 * Timeout: at the client's timeout the worker gets `cancel` and the client `answer.error{timeout}`; only usage the
 * worker reported by then counts, and since usage comes with the worker's final message, a timed-out request is
 * free (the worker is asked to stop at 95 % of the timeout, so that a slow engine's usage still arrives in time).
 */
export class Router {
    private readonly byAttempt = new Map<string, Flight>();
    /** The same requests by worker connection (kept while it is connected): a worker that goes touches only its own. */
    private readonly byWorker = new Map<WorkerConn, Set<Flight>>();

    constructor(
        private readonly ctx: ProxyContext,
        private readonly pool: WorkerPool,
    ) {}

    get running(): number {
        return this.byAttempt.size;
    }

    query(client: ClientPeer, q: ClientQuery): void {
        const reject = (code: ErrorCode, message: string) =>
            client.conn.send({ type: 'answer.error', requestId: q.requestId, code, message, status: HTTP_STATUS[code], started: false });
        const refusal = this.ctx.refusal;
        if (refusal) return void reject(refusal.code, refusal.reason);
        if (client.flights.has(q.requestId)) return void reject('bad_request', `request ${q.requestId} is already in flight`);
        const a = client.account;
        if (a.snapshot && a.snapshot.state !== 0) return void reject('insufficient_credit', `client contract ${a.key} is closing or closed`);
        const prices = this.ctx.prices;
        const reservation = BigInt(reservationTokens(q.maxTokens, Buffer.byteLength(q.body, 'utf8'), q.maxCoefficient, prices));
        const available = availableTokens(a, prices);
        if (reservation > available) {
            this.ctx.metrics.requests.inc({ outcome: 'insufficient_credit' });
            return void reject('insufficient_credit', `the request needs ${reservation} tokens reserved, ${available} are available`);
        }
        const chosen = this.pool.select(q.model, q.maxCoefficient, new Set());
        if ('error' in chosen) {
            this.ctx.metrics.requests.inc({ outcome: chosen.error });
            return void reject(chosen.error, chosen.message);
        }
        a.reserved += reservation;
        const timeoutMs = Math.min(q.timeoutMs, this.ctx.config.requestTimeoutMs);
        const f: Flight = {
            requestId: q.requestId,
            client,
            query: q,
            reservation,
            startedAt: Date.now(),
            tried: new Set(),
            attempt: null,
            headSent: false,
            firstByteAt: null,
            response: createHash('sha256'),
            cancelled: false,
            timer: setTimeout(() => this.timeout(f), timeoutMs),
        };
        client.flights.set(q.requestId, f);
        this.ctx.metrics.running.inc();
        this.dispatch(f, chosen.worker);
    }

    /** The client cancelled: the worker is told, and its final message (with what was produced) ends the request. */
    cancel(client: ClientPeer, requestId: string): void {
        const f = client.flights.get(requestId);
        if (!f || f.cancelled) return;
        f.cancelled = true;
        if (f.attempt) f.attempt.worker.conn.send({ type: 'cancel', requestId: f.attempt.id });
    }

    clientGone(client: ClientPeer): void {
        for (const id of client.flights.keys()) this.cancel(client, id);
    }

    workerMessage(w: WorkerConn, m: AnswerHead | AnswerPart | WorkerAnswerEnd | WorkerAnswerError): void {
        const f = this.byAttempt.get(m.requestId);
        if (!f || f.attempt?.worker !== w) return; // ended already (timeout, cancel) or not this worker's: ignored
        const client = f.client.conn;
        switch (m.type) {
            case 'answer.head':
                f.headSent = true;
                f.firstByteAt ??= Date.now();
                clearTimeout(f.attempt.firstByteTimer);
                client.send({ type: 'answer.head', requestId: f.requestId, status: m.status, headers: m.headers });
                return;
            case 'answer.part':
                f.firstByteAt ??= Date.now();
                clearTimeout(f.attempt.firstByteTimer);
                f.response.update(m.data, 'utf8');
                client.send({ type: 'answer.part', requestId: f.requestId, data: m.data });
                return;
            case 'answer.end':
                return this.complete(f, m.usage, null);
            case 'answer.error': {
                const produced = m.usage ? adjustUsage(m.usage, f.attempt.coefficient, this.ctx.prices).total : 0;
                if (!m.started && !f.headSent && produced === 0 && this.retry(f, m.code)) return;
                return this.complete(f, m.usage, { code: m.code, message: m.message, status: m.status });
            }
        }
    }

    /** The worker's connection ended: its requests move to another worker if nothing was forwarded yet, else fail. */
    workerGone(w: WorkerConn): void {
        // the pool no longer has it, so nothing new lands on it
        for (const f of [...(this.byWorker.get(w) ?? [])]) {
            if (!f.headSent && this.retry(f, 'disconnect')) continue;
            this.complete(f, undefined, { code: 'engine_error', message: 'the worker disconnected', status: HTTP_STATUS.engine_error });
        }
        this.byWorker.delete(w);
    }

    /** Ends every request (service stop): workers are told to cancel, clients get `code`. */
    failAll(code: ErrorCode, message: string): void {
        for (const f of [...this.byAttempt.values()]) {
            f.attempt?.worker.conn.send({ type: 'cancel', requestId: f.attempt.id });
            this.complete(f, undefined, { code, message, status: HTTP_STATUS[code] });
        }
    }

    private dispatch(f: Flight, w: WorkerConn): void {
        const limit = this.ctx.config.firstTokenTimeoutMs;
        const attempt: Attempt = {
            worker: w,
            id: newRequestId(),
            coefficient: w.coefficient,
            sentAt: Date.now(),
            firstByteTimer: setTimeout(() => this.firstByteLate(f, attempt), limit),
        };
        f.attempt = attempt;
        f.tried.add(w.id);
        w.running++;
        this.byAttempt.set(attempt.id, f);
        let own = this.byWorker.get(w);
        if (!own) this.byWorker.set(w, (own = new Set()));
        own.add(f);
        const remaining = Math.max(1, f.startedAt + Math.min(f.query.timeoutMs, this.ctx.config.requestTimeoutMs) - Date.now());
        w.conn.send({
            type: 'proxy.query',
            requestId: attempt.id,
            path: f.query.path,
            body: f.query.body,
            coefficient: attempt.coefficient,
            maxTokens: f.query.maxTokens,
            timeoutMs: Math.max(1, Math.floor(remaining * 0.95)),
        });
    }

    /** Drops the current attempt as failed and tries another worker; false when none is left to try. */
    private retry(f: Flight, kind: string): boolean {
        if (f.cancelled || f.tried.size >= this.ctx.config.workerAttempts) return false;
        const next = this.pool.select(f.query.model, f.query.maxCoefficient, f.tried);
        if ('error' in next) return false;
        const previous = this.detach(f);
        if (previous) {
            previous.worker.record.record({ ok: false, kind });
            this.ctx.metrics.workerRequests.inc({ worker: previous.worker.account.key, outcome: kind });
            this.ctx.log.info('request moved to another worker', { requestId: f.requestId, from: previous.worker.account.key, reason: kind });
        }
        this.dispatch(f, next.worker);
        return true;
    }

    /** The worker sent nothing in time: it is told to stop, and the request moves on or ends as a timeout. */
    private firstByteLate(f: Flight, attempt: Attempt): void {
        if (f.attempt !== attempt || f.firstByteAt !== null) return;
        attempt.worker.conn.send({ type: 'cancel', requestId: attempt.id });
        const limit = this.ctx.config.firstTokenTimeoutMs;
        if (this.retry(f, 'first_token_timeout')) return;
        this.complete(f, undefined, { code: 'timeout', message: `no first token within ${limit} ms`, status: HTTP_STATUS.timeout, kind: 'first_token_timeout' });
    }

    private detach(f: Flight): Attempt | null {
        const a = f.attempt;
        if (!a) return null;
        clearTimeout(a.firstByteTimer);
        a.worker.running--;
        this.byAttempt.delete(a.id);
        this.byWorker.get(a.worker)!.delete(f);
        f.attempt = null;
        return a;
    }

    private timeout(f: Flight): void {
        if (f.attempt) f.attempt.worker.conn.send({ type: 'cancel', requestId: f.attempt.id });
        this.complete(f, undefined, { code: 'timeout', message: `no complete answer within ${f.query.timeoutMs} ms`, status: HTTP_STATUS.timeout });
    }

    /** Accounts, signs and answers; `failure` null for a successful answer. */
    private complete(f: Flight, usage: Usage | undefined, failure: Failure | null): void {
        clearTimeout(f.timer);
        const attempt = this.detach(f);
        f.client.flights.delete(f.requestId);
        this.ctx.metrics.running.dec();
        const ctx = this.ctx;
        const client = f.client.account;
        client.reserved -= f.reservation;
        const now = Date.now();
        if (!attempt) return; // cannot happen: a flight always has an attempt until it completes
        const w = attempt.worker;
        const tokens = usage ? capTokens(adjustUsage(usage, attempt.coefficient, ctx.prices), Number(f.reservation)) : ZERO;
        if (tokens.total > 0) {
            client.counters.add(BigInt(tokens.total));
            w.account.counters.add(BigInt(tokens.total));
            ctx.metrics.tokens.inc(tokens.total);
        }
        w.record.record(
            failure
                ? { ok: false, kind: failure.kind ?? failure.code }
                : {
                      ok: true,
                      durationMs: now - attempt.sentAt,
                      ttftMs: f.firstByteAt === null ? null : f.firstByteAt - attempt.sentAt,
                      completionTokens: usage?.completionTokens ?? 0,
                      streamMs: f.firstByteAt === null ? null : now - f.firstByteAt,
                  },
        );
        const outcome = failure ? failure.code : 'ok';
        ctx.metrics.requests.inc({ outcome });
        ctx.metrics.workerRequests.inc({ worker: w.account.key, outcome });
        const receipt =
            !failure || tokens.total > 0
                ? signReceipt(
                      {
                          requestId: f.requestId,
                          proxyContract: ctx.contract.toRawString(),
                          clientContract: client.key,
                          workerContract: w.account.key,
                          requestHash: bodyHash(f.query.body),
                          responseHash: f.response.digest('hex'),
                          coefficient: attempt.coefficient,
                          tokens,
                          pricePerToken: ctx.prices.pricePerToken.toString(),
                          cost: costOf(tokens.total, ctx.prices).toString(),
                          clientTotal: client.counters.tokensMax.toString(),
                          at: Math.floor(now / 1000),
                      },
                      ctx.key.secretKey,
                  )
                : undefined;
        const conn = f.client.conn;
        let delivered: boolean;
        if (!failure) delivered = conn.send({ type: 'answer.end', requestId: f.requestId, usage: usage!, tokens, receipt: receipt! });
        else {
            delivered = conn.send({
                type: 'answer.error',
                requestId: f.requestId,
                code: failure.code,
                message: failure.message,
                status: failure.status,
                started: f.headSent,
                ...(receipt ? { usage, tokens, receipt } : {}),
            });
        }
        // the client is gone (cancelled by its disconnect): it gets the receipt of what it is charged when it is back
        if (receipt && !delivered) ctx.ledger.keepLateReceipt(client.key, receipt);
        conn.send(clientPayment(ctx, client));
        w.conn.send(workerPayment(ctx, w.account));
        ctx.log.info('request finished', {
            requestId: f.requestId,
            outcome,
            worker: w.account.key,
            client: client.key,
            model: f.query.model,
            tokens: tokens.total,
            coefficient: attempt.coefficient,
            durationMs: now - f.startedAt,
            attempts: f.tried.size,
        });
    }
}
