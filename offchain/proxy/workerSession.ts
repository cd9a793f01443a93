import { Address } from '@ton/core';
import type { WebSocket } from 'ws';
import type { RatlsReport } from '../ratls';
import { BindingError, checkWorkerBinding, negotiateVersion, ProtocolConnection, ProtocolError, type ProxyToWorker } from '../protocol';
import { workerAddress } from '../../wrappers/addresses';
import { modelHash } from '../../wrappers/root';
import { workerLedger } from './accounts';
import type { OpenConnection, ProxyContext } from './context';
import { workerPayment } from './payments';
import type { Router } from './router';
import { WorkerConn, type WorkerPool } from './workerPool';

export const HANDSHAKE_STEP_MS = 10_000;

export interface WorkerSessionDeps {
    ctx: ProxyContext;
    pool: WorkerPool;
    router: Router;
    nextId: () => number;
    /** Connections open, for stop(). */
    open: Set<OpenConnection>;
    onChange: () => void;
}

/**
 * One worker connection: hello (version, attested owner and model, model allowed by the root) → welcome with the
 * worker contract → compare (the worker's remembered counters must not exceed ours: the rollback tripwire) → state
 * → requests. Any handshake failure sends `error{code}` and closes.
 */
export async function runWorkerSession(d: WorkerSessionDeps, ws: WebSocket, peer: RatlsReport, remote: string): Promise<void> {
    const { ctx } = d;
    const conn = new ProtocolConnection<'worker→proxy', ProxyToWorker>(ws, {
        inbound: 'worker→proxy',
        label: `worker@${remote}`,
        log: (line) => ctx.log.info(line),
    });
    d.open.add(conn);
    conn.onClose(() => d.open.delete(conn));
    let worker: WorkerConn;
    try {
        if (ctx.refusal) throw new ProtocolError(ctx.refusal.code, ctx.refusal.reason);
        const hello = await conn.next('worker.hello', HANDSHAKE_STEP_MS);
        const version = negotiateVersion(hello.protocol);
        try {
            checkWorkerBinding(peer, hello);
        } catch (e) {
            if (e instanceof BindingError) throw new ProtocolError('not_allowed', e.message);
            throw e;
        }
        const root = await ctx.registry.get();
        if (!root.modelHashes.has(modelHash(hello.model))) {
            throw new ProtocolError('not_allowed', `model ${hello.model} is not allowed by the root (its SHA-256 is not in the root's model hashes)`);
        }
        const owner = Address.parse(hello.owner);
        const contract = workerAddress({ owner, proxyAddress: ctx.contract, proxyPublicKey: ctx.key.publicKey, params: ctx.params });
        conn.send({ type: 'proxy.welcome', version, proxy: ctx.info, workerContract: contract.toRawString() });
        const account = ctx.ledger.worker(contract, owner, hello.model);
        const compare = await conn.next('worker.compare', HANDSHAKE_STEP_MS);
        const c = account.counters;
        // A worker may have seen more accounted tokens than we have after our restart (RAM is lost, as in COCOON);
        // committed counts above ours mean this database lost commits: the rollback tripwire.
        const ahead = [
            BigInt(compare.committedDb) > c.committedDb ? `committedDb ${compare.committedDb} > ${c.committedDb}` : null,
            BigInt(compare.committedChain) > c.committedChain ? `committedChain ${compare.committedChain} > ${c.committedChain}` : null,
        ].filter((x): x is string => x !== null);
        if (ahead.length > 0) {
            const reason = `worker ${contract.toRawString()} remembers more committed tokens than this proxy: ${ahead.join(', ')}`;
            conn.send({ type: 'proxy.compared', ok: false, reason, ledger: workerLedger(account, null) });
            ctx.log.error('rollback detected by a worker comparison', { worker: contract.toRawString(), reason });
            ctx.refuse('rollback_detected', `rollback detected: ${reason}`);
            throw new ProtocolError('rollback_detected', reason);
        }
        if (BigInt(compare.tokensMax) > c.tokensMax) {
            const fields = { worker: contract.toRawString(), workerTokensMax: compare.tokensMax, ours: c.tokensMax.toString() };
            ctx.log.warn('worker saw more accounted tokens than this proxy keeps (lost with a restart)', fields);
        }
        conn.send({ type: 'proxy.compared', ok: true, ledger: workerPayment(ctx, account).ledger });
        const state = await conn.next('worker.state', HANDSHAKE_STEP_MS);
        worker = new WorkerConn(d.nextId(), d.pool.reputation.of(account.key), conn, account, hello.model, state.coefficient, hello.maxActiveRequests, state.enabled);
    } catch (e) {
        const code = e instanceof ProtocolError ? e.code : 'internal';
        if (conn.isOpen) conn.fail(code, (e as Error).message);
        else ctx.log.info('worker handshake ended', { remote, error: e });
        return;
    }
    d.pool.add(worker);
    d.onChange();
    ctx.log.info('worker connected', { worker: worker.account.key, model: worker.model, coefficient: worker.coefficient, enabled: worker.enabled, remote });
    conn.onClose((info) => {
        d.pool.remove(worker);
        d.router.workerGone(worker);
        d.onChange();
        ctx.log.info('worker disconnected', { worker: worker.account.key, code: info.code, reason: info.reason });
    });
    conn.onMessage((m) => {
        switch (m.type) {
            case 'worker.state':
                worker.enabled = m.enabled;
                worker.coefficient = m.coefficient;
                return;
            case 'answer.head':
            case 'answer.part':
            case 'answer.end':
            case 'answer.error':
                return d.router.workerMessage(worker, m);
            case 'payment.status':
                conn.send(workerPayment(ctx, worker.account));
                return;
            case 'error':
                ctx.log.warn('worker reported an error', { worker: worker.account.key, code: m.code, message: m.message });
                conn.close(1000, m.code);
                return;
            default:
                conn.fail('bad_message', `${m.type} is not expected after the handshake`);
        }
    });
}
