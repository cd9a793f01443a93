import { Address, StateInit } from '@ton/core';
import type { Outbox, OutboxRecord } from '../chain/outbox';
import type { RegistryReader } from '../chain/cocoon';
import {
    BindingError,
    checkProxyBinding,
    dialProtocol,
    OUR_VERSIONS,
    pricesOf,
    ProtocolConnection,
    ProtocolError,
    type AnswerHead,
    type ClientAnswerEnd,
    type ClientAnswerError,
    type ClientAuthorized,
    type ClientQuery,
    type ClientToProxy,
    type CloseInfo,
    type ModelsList,
    type ProxyInfo,
    type ProxyToClient,
    type Receipt,
} from '../protocol';
import { RatlsVerificationError, type PeerVerifier, type RatlsIdentity, type RatlsReport } from '../ratls';
import type { Logger } from '../runtime';
import { clientAddress, clientStateInit } from '../../wrappers/addresses';
import { ProxyRefusedError } from './errors';
import type { Payments } from './payments';

const DIAL_TIMEOUT_MS = 10_000;
/** Welcome and short-auth answers come at once from a live proxy. */
const HANDSHAKE_STEP_MS = 30_000;

export interface SessionContext {
    registry: RegistryReader;
    identity: RatlsIdentity;
    verifier: PeerVerifier;
    /** The client's wallet (owner of its client contracts). */
    wallet: Address;
    secret: string;
    /** SHA-256 of the secret, hex, as the welcome carries the on-chain hash. */
    secretHashHex: string;
    payments: Payments;
    outbox: Outbox;
    authTimeoutMs: number;
    /** A receipt without its answer (see lateReceipts.ts): true once verified and kept. */
    lateReceipt(receipt: Receipt, session: ProxySession): boolean;
    log: Logger;
}

export interface AttestationStep {
    name: string;
    ok: boolean;
    detail?: string;
}

/** What the client verified about its proxy, step by step (GET /v1/attestation). */
export interface AttestationReport {
    proxy: string;
    verifiedAt: string;
    provider: string | null;
    imageHash: string | null;
    registry: { root: string; rootVersion: number; paramsVersion: number; imageHashInRoot: boolean; proxyHashes: number };
    certificate: { notBefore: string | null; notAfter: string | null; valid: boolean; fingerprint: string };
    tcbStatus: string;
    paymentKey: string;
    proxyContract: string;
    clientContract: string;
    /** The RA-TLS checks in order, then the registry match, the claims binding and the client contract. */
    steps: AttestationStep[];
    report: RatlsReport;
}

/** What one in-flight request is told; exactly one of end, error or closed comes last. */
export interface RequestHandlers {
    head(m: AnswerHead): void;
    part(data: string): void;
    end(m: ClientAnswerEnd): void;
    error(m: ClientAnswerError): void;
    closed(): void;
}

type Connection = ProtocolConnection<'proxy→client', ClientToProxy>;

function splitEndpoint(endpoint: string): { host: string; port: number } {
    const at = endpoint.lastIndexOf(':');
    return { host: endpoint.slice(0, at), port: Number(endpoint.slice(at + 1)) };
}

/**
 * One verified, authorized connection to a proxy. `open` dials (the RA-TLS policy, with the root's proxy image
 * hashes, is checked before the WebSocket opens, so nothing is sent to an unverified proxy), checks the welcome
 * against the attested claims and the chain, authenticates (short by secret, or long through an on-chain register),
 * and then routes answers to requests by id.
 */
export class ProxySession {
    readonly closed: Promise<CloseInfo>;
    private readonly requests = new Map<string, RequestHandlers>();
    /** Handling deferred to the end of the current I/O turn, in arrival order (see route). */
    private readonly later: (() => void)[] = [];
    private readonly modelWaiters: { resolve: (m: ModelsList) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];

    private constructor(
        readonly endpoint: string,
        private readonly conn: Connection,
        readonly proxy: ProxyInfo,
        readonly clientContract: Address,
        readonly attestation: AttestationReport,
        private readonly ctx: SessionContext,
    ) {
        this.closed = new Promise((resolve) => conn.onClose(resolve));
        // after the answers already received: their ends are queued in `later` (see route)
        void this.closed.then((info) => this.defer(() => this.onClosed(info)));
        conn.onMessage((m) => this.route(m));
    }

    static async open(ctx: SessionContext, endpoint: string): Promise<ProxySession> {
        const { host, port } = splitEndpoint(endpoint);
        const log = ctx.log.child({ proxy: endpoint });
        let dialed;
        try {
            dialed = await dialProtocol({ host, port, identity: ctx.identity, verifier: ctx.verifier, timeoutMs: DIAL_TIMEOUT_MS, log: (l) => log.warn(l) });
        } catch (e) {
            if (e instanceof RatlsVerificationError) throw new ProxyRefusedError(e.check, endpoint, e.reason, e.report);
            throw new ProxyRefusedError('connect', endpoint, (e as Error).message);
        }
        const conn: Connection = new ProtocolConnection(dialed.ws, { inbound: 'proxy→client', label: `proxy ${endpoint}`, log: (l) => log.info(l) });
        try {
            return await ProxySession.handshake(ctx, endpoint, conn, dialed.peer, log);
        } catch (e) {
            conn.close();
            if (e instanceof ProxyRefusedError) throw e;
            throw new ProxyRefusedError('auth', endpoint, (e as Error).message);
        }
    }

    private static async handshake(ctx: SessionContext, endpoint: string, conn: Connection, peer: RatlsReport, log: Logger): Promise<ProxySession> {
        const refuse = (check: string, message: string): never => {
            conn.fail('address_mismatch', message);
            throw new ProxyRefusedError(check, endpoint, message, peer);
        };
        conn.send({ type: 'client.hello', protocol: OUR_VERSIONS, owner: ctx.wallet.toRawString() });
        const welcome = await conn.next('proxy.welcome', HANDSHAKE_STEP_MS);
        if (welcome.version < OUR_VERSIONS.min || welcome.version > OUR_VERSIONS.max) {
            conn.fail('unsupported_version', `version ${welcome.version} is outside ${OUR_VERSIONS.min}..${OUR_VERSIONS.max}`);
            throw new ProxyRefusedError('version', endpoint, `proxy chose protocol version ${welcome.version}`);
        }
        let root = await ctx.registry.get();
        // a proxy already on a newer params generation than the cached root: read the root again first
        if (welcome.proxy.paramsVersion !== root.params.paramsVersion) root = await ctx.registry.refresh();
        try {
            checkProxyBinding(peer, welcome.proxy, { root: ctx.registry.rootAddress, params: root.params });
        } catch (e) {
            if (e instanceof BindingError) refuse('binding', e.message);
            throw e;
        }
        const inputs = {
            owner: ctx.wallet,
            proxyAddress: Address.parse(welcome.proxy.contract),
            proxyPublicKey: Buffer.from(welcome.proxy.publicKey, 'hex'),
            params: root.params,
        };
        const clientContract = clientAddress(inputs);
        if (clientContract.toRawString() !== welcome.clientContract) {
            refuse('clientContract', `welcome names client contract ${welcome.clientContract}, derived ${clientContract.toRawString()}`);
        }
        const clientInit: StateInit = clientStateInit(inputs);
        ctx.payments.attach({ proxy: welcome.proxy, clientContract, clientInit, prices: pricesOf(root.params) });

        let authorized: ClientAuthorized;
        if (welcome.auth.kind === 'short' && welcome.auth.secretHash === ctx.secretHashHex) {
            conn.send({ type: 'client.auth', kind: 'short', secret: ctx.secret });
            authorized = await conn.next('proxy.authorized', HANDSHAKE_STEP_MS);
            log.info('authorized by secret (short auth)');
        } else {
            const records = await ctx.payments.prepareLongAuth(BigInt(welcome.auth.nonce));
            conn.send({ type: 'client.auth', kind: 'long' });
            log.info('long auth: registering on-chain', { nonce: welcome.auth.nonce, intents: records.map((r) => r.intent) });
            const failures = records.map((r) => failureOf(ctx.outbox, r, endpoint));
            authorized = await Promise.race([conn.next('proxy.authorized', ctx.authTimeoutMs), ...failures]);
            log.info('authorized by on-chain registration (long auth)');
        }
        const imageHash = peer.quote?.imageHash ?? null;
        const hex = new Set([...root.proxyHashes].map((h) => h.toString(16).padStart(64, '0')));
        const validity = peer.checks.find((c) => c.name === 'validity');
        const tcb = peer.checks.find((c) => c.name === 'tcbStatus');
        const attestation: AttestationReport = {
            proxy: endpoint,
            verifiedAt: new Date().toISOString(),
            provider: peer.provider ?? null,
            imageHash,
            registry: {
                root: ctx.registry.rootAddress.toString(),
                rootVersion: root.version,
                paramsVersion: root.paramsVersion,
                imageHashInRoot: imageHash !== null && hex.has(imageHash),
                proxyHashes: hex.size,
            },
            certificate: { notBefore: peer.notBefore ?? null, notAfter: peer.notAfter ?? null, valid: validity?.ok ?? false, fingerprint: peer.fingerprint },
            tcbStatus: peer.quote?.tcbStatus ?? tcb?.detail ?? 'unknown',
            paymentKey: welcome.proxy.publicKey,
            proxyContract: welcome.proxy.contract,
            clientContract: clientContract.toRawString(),
            steps: [
                ...peer.checks,
                {
                    name: 'registry',
                    ok: imageHash !== null && hex.has(imageHash),
                    detail: `image hash ${imageHash} in the proxy hashes of root version ${root.version}`,
                },
                { name: 'binding', ok: true, detail: 'payment key, owner and root of the welcome are the attested claims; proxy contract derived from them' },
                { name: 'clientContract', ok: true, detail: `${clientContract.toRawString()} derived from the wallet, proxy contract, key and params` },
            ],
            report: peer,
        };
        const session = new ProxySession(endpoint, conn, welcome.proxy, clientContract, attestation, ctx);
        ctx.payments.onLedger(authorized.ledger);
        return session;
    }

    get isOpen(): boolean {
        return this.conn.isOpen;
    }

    get inFlight(): number {
        return this.requests.size;
    }

    /** Sends a query; its answers go to `handlers`. False when the connection is already closed. */
    query(q: Omit<ClientQuery, 'type'>, handlers: RequestHandlers): boolean {
        this.requests.set(q.requestId, handlers);
        if (this.conn.send({ type: 'client.query', ...q })) return true;
        this.requests.delete(q.requestId);
        return false;
    }

    /** Stops routing a request's answers and, if `tellProxy`, cancels it there. */
    forget(requestId: string, tellProxy: boolean): void {
        if (this.requests.delete(requestId) && tellProxy) this.conn.send({ type: 'cancel', requestId });
    }

    models(timeoutMs: number): Promise<ModelsList> {
        return new Promise((resolve, reject) => {
            if (!this.conn.send({ type: 'models' })) return reject(new ProtocolError('internal', 'connection to the proxy is closed'));
            const timer = setTimeout(() => {
                const i = this.modelWaiters.findIndex((w) => w.timer === timer);
                if (i >= 0) this.modelWaiters.splice(i, 1);
                reject(new ProtocolError('timeout', `no models.list within ${timeoutMs} ms`));
            }, timeoutMs);
            this.modelWaiters.push({ resolve, reject, timer });
        });
    }

    close(): void {
        this.conn.close(1000, 'client stopping');
    }

    /**
     * Heads and parts go to the app at once; everything else (ends with their receipt check and database write,
     * ledgers, late receipts) waits for the end of this I/O turn, in order. Frames that came in one read would
     * otherwise hold the head's write to the app until all of them were handled.
     */
    private route(m: ProxyToClient): void {
        if (m.type === 'answer.head' || m.type === 'answer.part') return this.handle(m);
        this.defer(() => this.handle(m));
    }

    private defer(fn: () => void): void {
        if (this.later.push(fn) > 1) return;
        setImmediate(() => {
            for (const f of this.later.splice(0)) f();
        });
    }

    private handle(m: ProxyToClient): void {
        switch (m.type) {
            case 'answer.head':
                return this.requests.get(m.requestId)?.head(m);
            case 'answer.part':
                return this.requests.get(m.requestId)?.part(m.data);
            case 'answer.end': {
                const h = this.requests.get(m.requestId);
                this.requests.delete(m.requestId);
                // a request the client gave up on (cancelled, timed out) is still charged for what was produced
                return h ? h.end(m) : void this.ctx.lateReceipt(m.receipt, this);
            }
            case 'answer.error': {
                const h = this.requests.get(m.requestId);
                this.requests.delete(m.requestId);
                if (h) return h.error(m);
                if (m.receipt) this.ctx.lateReceipt(m.receipt, this);
                return;
            }
            case 'answer.receipt':
                if (this.ctx.lateReceipt(m.receipt, this)) this.conn.send({ type: 'receipt.ack', requestId: m.requestId });
                return;
            case 'proxy.payment':
                return this.ctx.payments.onLedger(m.ledger);
            case 'models.list': {
                const w = this.modelWaiters.shift();
                if (w) {
                    clearTimeout(w.timer);
                    w.resolve(m);
                }
                return;
            }
            case 'error':
                return this.ctx.log.warn('proxy reported an error', { proxy: this.endpoint, code: m.code, message: m.message });
            default:
                // welcome or authorized again: not part of a running session
                this.ctx.log.warn('unexpected message from the proxy, closing', { proxy: this.endpoint, type: m.type });
                this.conn.fail('bad_message', `unexpected ${m.type} after authorization`);
        }
    }

    private onClosed(info: CloseInfo): void {
        this.ctx.log.warn('connection to the proxy closed', { proxy: this.endpoint, code: info.code, reason: info.reason });
        const handlers = [...this.requests.values()];
        this.requests.clear();
        for (const h of handlers) h.closed();
        for (const w of this.modelWaiters.splice(0)) {
            clearTimeout(w.timer);
            w.reject(new ProtocolError('internal', 'connection to the proxy closed'));
        }
    }
}

/** Rejects when an on-chain step of long auth fails (never resolves otherwise): the proxy would wait in vain. */
async function failureOf(outbox: Outbox, record: OutboxRecord, endpoint: string): Promise<never> {
    const done = await outbox.wait(record.id);
    if (done.state === 'failed' || done.outcome === 'failed') {
        throw new ProxyRefusedError('auth', endpoint, `${done.intent} failed on-chain: ${done.reason ?? `exit code ${done.destination?.exitCode}`}`);
    }
    return new Promise<never>(() => {});
}
