import { Address } from '@ton/core';
import type { RegistryReader } from '../chain/cocoon';
import {
    BindingError,
    checkProxyBinding,
    dialProtocol,
    expectedWorkerContract,
    HTTP_STATUS,
    OUR_VERSIONS,
    ProtocolConnection,
    ProtocolError,
    Reconnector,
    type CloseInfo,
    type ErrorCode,
    type ProxyInfo,
    type ProxyQuery,
    type ProxyToWorker,
    type WorkerLedger,
    type WorkerToProxy,
} from '../protocol';
import type { IdentityRotator, PeerVerifier, RatlsIdentity, RatlsReport } from '../ratls';
import type { Logger } from '../runtime';
import type { CocoonParams } from '../../wrappers/params';
import { acceptLedger, LedgerRollbackError, type PaymentState } from './paymentState';
import { RequestAbort, type RequestResult } from './requestRunner';

/** Longest wait for each handshake answer of the proxy. */
export const HANDSHAKE_TIMEOUT_MS = 30_000;
const DIAL_TIMEOUT_MS = 10_000;

export type SessionPhase = 'connecting' | 'handshake' | 'ready' | 'closed' | 'stopped';

/** What a session needs from the service it belongs to. */
export interface SessionHost {
    wallet: Address;
    /** Full model name, as in the hello and the certificate claims. */
    model: string;
    coefficient: number;
    maxActiveRequests: number;
    identity: RatlsIdentity | IdentityRotator;
    verifier: PeerVerifier;
    registry: RegistryReader;
    payments: PaymentState;
    log: Logger;
    /** Whether the worker can take requests now (engine healthy, not stopping). */
    enabled(): boolean;
    /** Deploys and registers the worker contract if it is not on-chain yet (through the outbox; does not wait). */
    ensureWorkerContract(workerContract: Address, proxy: ProxyInfo, params: CocoonParams): void;
    /** A ledger was accepted for this proxy contract (the payout may now be due). */
    ledgerAccepted(proxyContract: string): void;
    /** Takes a slot of the worker-wide concurrency limit; false when all are taken. */
    acquire(): boolean;
    release(): void;
    run(q: ProxyQuery, signal: AbortSignal, send: (m: WorkerToProxy) => boolean, log: Logger): Promise<RequestResult>;
    phaseChanged(): void;
}

type Connection = ProtocolConnection<'proxy→worker', WorkerToProxy>;

/**
 * The worker's link to one proxy: dials it (RA-TLS, the proxy's image hash checked against the root), runs the
 * handshake (hello, binding and contract checks, counter comparison, state), then serves its queries until the
 * connection ends; a Reconnector dials again with backoff.
 */
export class ProxySession {
    phase: SessionPhase = 'connecting';
    lastError: string | null = null;
    proxy: ProxyInfo | null = null;
    workerContract: string | null = null;
    connectedAt: number | null = null;
    private conn: Connection | null = null;
    private readonly requests = new Map<string, { controller: AbortController; done: Promise<void> }>();
    private readonly reconnector: Reconnector;
    private readonly log: Logger;
    private lastState: string | null = null;

    constructor(
        readonly endpoint: string,
        private readonly host: SessionHost,
    ) {
        this.log = host.log.child({ proxy: endpoint });
        this.reconnector = new Reconnector({
            session: () => this.session(),
            label: `proxy ${endpoint}`,
            log: (line) => this.log.info(line),
        });
    }

    get ready(): boolean {
        return this.phase === 'ready';
    }

    get activeRequests(): number {
        return this.requests.size;
    }

    start(): void {
        this.reconnector.start();
    }

    /** Fails the requests in flight (shutting_down), closes the connection and stops dialling. */
    async stop(): Promise<void> {
        this.setPhase('stopped');
        const running = [...this.requests.values()];
        for (const r of running) r.controller.abort(new RequestAbort('shutting_down', 'the worker is shutting down'));
        await Promise.all(running.map((r) => r.done));
        this.conn?.close(1001, 'worker shutting down');
        await this.reconnector.stop();
    }

    /** Drops the current connection (if any); the reconnector dials again and the handshake runs anew. */
    reconnect(): void {
        this.conn?.close(1000, 'reconnecting');
    }

    /** Tells the proxy our current state (enabled, coefficient) if it changed since the last time. */
    sendState(): void {
        if (!this.conn || !this.ready) return;
        const state = { type: 'worker.state' as const, enabled: this.host.enabled(), coefficient: this.host.coefficient };
        const key = JSON.stringify(state);
        if (key === this.lastState) return;
        if (!this.conn.send(state)) return;
        this.lastState = key;
        // whether the proxy has us enabled changed: the service's readiness follows it
        this.host.phaseChanged();
    }

    /** The state we last told the proxy. */
    get enabledHere(): boolean {
        return this.ready && this.lastState !== null && (JSON.parse(this.lastState) as { enabled: boolean }).enabled;
    }

    private setPhase(phase: SessionPhase): void {
        if (this.phase === 'stopped' || this.phase === phase) return;
        this.phase = phase;
        this.host.phaseChanged();
    }

    private async session(): Promise<void> {
        this.setPhase('connecting');
        const colon = this.endpoint.lastIndexOf(':');
        const [host, port] = [this.endpoint.slice(0, colon), Number(this.endpoint.slice(colon + 1))];
        let dialled: { ws: Connection['ws']; peer: RatlsReport };
        try {
            dialled = await dialProtocol({
                host,
                port,
                identity: this.host.identity,
                verifier: this.host.verifier,
                timeoutMs: DIAL_TIMEOUT_MS,
                log: (line) => this.log.info(line),
            });
        } catch (e) {
            this.lastError = (e as Error).message;
            this.setPhase('closed');
            throw e;
        }
        const conn: Connection = new ProtocolConnection(dialled.ws, {
            inbound: 'proxy→worker',
            label: `proxy ${this.endpoint}`,
            log: (l) => this.log.info(l),
        });
        const closed = new Promise<CloseInfo>((resolve) => conn.onClose(resolve));
        if (this.phase === 'stopped') {
            conn.close(1001, 'worker shutting down');
            return;
        }
        this.conn = conn;
        this.lastState = null;
        try {
            this.setPhase('handshake');
            await this.handshake(conn, dialled.peer);
        } catch (e) {
            this.lastError = (e as Error).message;
            conn.close();
            this.setPhase('closed');
            throw e;
        }
        this.connectedAt = Date.now();
        this.lastError = null;
        conn.onMessage((m) => this.dispatch(conn, m));
        this.setPhase('ready');
        this.sendState();
        this.log.info('proxy session ready', { proxyContract: this.proxy?.contract, workerContract: this.workerContract });
        const info = await closed;
        for (const r of this.requests.values()) r.controller.abort(new RequestAbort('internal', 'the proxy connection closed'));
        this.lastError = `connection closed (${info.code}${info.reason ? ` ${info.reason}` : ''})`;
        this.setPhase('closed');
    }

    private async handshake(conn: Connection, peer: RatlsReport): Promise<void> {
        const refuse = (code: ErrorCode, message: string): never => {
            conn.fail(code, message);
            throw new ProtocolError(code, `refused proxy ${this.endpoint}: ${message}`);
        };
        const h = this.host;
        conn.send({
            type: 'worker.hello',
            protocol: OUR_VERSIONS,
            owner: h.wallet.toRawString(),
            model: h.model,
            coefficient: h.coefficient,
            maxActiveRequests: h.maxActiveRequests,
        });
        const welcome = await conn.next('proxy.welcome', HANDSHAKE_TIMEOUT_MS);
        if (welcome.version < OUR_VERSIONS.min || welcome.version > OUR_VERSIONS.max) {
            refuse('unsupported_version', `proxy chose protocol ${welcome.version}, we speak ${OUR_VERSIONS.min}..${OUR_VERSIONS.max}`);
        }
        let root = await h.registry.get();
        // a proxy already on a newer params generation than the cached root: read the root again first
        if (welcome.proxy.paramsVersion !== root.params.paramsVersion) root = await h.registry.refresh();
        try {
            checkProxyBinding(peer, welcome.proxy, { root: h.registry.rootAddress, params: root.params });
        } catch (e) {
            if (e instanceof BindingError) refuse('auth_failed', e.message);
            throw e;
        }
        const expected = expectedWorkerContract(h.wallet, welcome.proxy, root.params);
        if (expected.toRawString() !== welcome.workerContract) {
            refuse('address_mismatch', `worker contract ${welcome.workerContract} is not the derived ${expected.toRawString()}`);
        }
        let state;
        try {
            state = h.payments.open(welcome.proxy.contract, welcome.workerContract, welcome.proxy.publicKey);
        } catch (e) {
            if (e instanceof LedgerRollbackError) refuse('address_mismatch', e.message);
            throw e;
        }
        this.proxy = welcome.proxy;
        this.workerContract = welcome.workerContract;
        h.ensureWorkerContract(expected, welcome.proxy, root.params);

        conn.send({
            type: 'worker.compare',
            tokensMax: state.tokensMax.toString(),
            committedDb: state.committedDb.toString(),
            committedChain: state.committedChain.toString(),
        });
        const compared = await conn.next('proxy.compared', HANDSHAKE_TIMEOUT_MS);
        // the proxy follows a refusal with error{rollback_detected} and closes
        if (!compared.ok) {
            const reason = compared.reason ?? 'no reason given';
            throw new ProtocolError('rollback_detected', `proxy ${this.endpoint} refused our counters: ${reason}`);
        }
        try {
            this.accept(compared.ledger);
        } catch (e) {
            if (e instanceof LedgerRollbackError) refuse('rollback_detected', `proxy counters are below ours: ${e.message}`);
            throw e;
        }
    }

    private dispatch(conn: Connection, m: ProxyToWorker): void {
        switch (m.type) {
            case 'proxy.query':
                this.query(conn, m);
                return;
            case 'cancel':
                this.requests.get(m.requestId)?.controller.abort(new RequestAbort('cancelled', 'cancelled by the proxy'));
                return;
            case 'proxy.payment':
                try {
                    this.accept(m.ledger);
                } catch (e) {
                    if (!(e instanceof LedgerRollbackError)) throw e;
                    // a fresh connection runs the comparison again
                    conn.fail('rollback_detected', `payment counters went backwards: ${e.message}`);
                }
                return;
            case 'error':
                this.log.warn('proxy reported an error', { code: m.code, message: m.message });
                return;
            default:
                conn.fail('bad_message', `${m.type} is not expected after the handshake`);
        }
    }

    private accept(ledger: WorkerLedger): void {
        const contract = this.proxy!.contract;
        const { next, payoutRejected } = acceptLedger(this.host.payments.get(contract)!, ledger);
        this.host.payments.save(next);
        if (payoutRejected) this.log.warn('signed payout rejected', { proxyContract: contract, reason: payoutRejected });
        this.host.ledgerAccepted(contract);
    }

    private query(conn: Connection, q: ProxyQuery): void {
        const refuse = (code: ErrorCode, message: string) =>
            conn.send({ type: 'answer.error', requestId: q.requestId, code, message, status: HTTP_STATUS[code], started: false });
        if (this.requests.has(q.requestId)) return void refuse('bad_request', `request ${q.requestId} is already running`);
        if (!this.host.acquire()) return void refuse('busy', `the worker runs its maximum of ${this.host.maxActiveRequests} requests`);
        const controller = new AbortController();
        const timeout = () => controller.abort(new RequestAbort('timeout', `no complete answer within ${q.timeoutMs} ms`));
        const timer = setTimeout(timeout, q.timeoutMs);
        const log = this.log.child({ requestId: q.requestId });
        const done = this.host
            .run(q, controller.signal, (m) => conn.send(m), log)
            .then(() => undefined)
            .catch((e: unknown) => {
                log.error('request failed unexpectedly', { error: e });
                refuse('internal', 'the worker failed');
            })
            .finally(() => {
                clearTimeout(timer);
                this.requests.delete(q.requestId);
                this.host.release();
            });
        this.requests.set(q.requestId, { controller, done });
    }
}
