// The scale benchmark's load: fake workers (fake TDX, each its own owner) that answer queries at once or hold them
// open with a slow trickle of tokens, and raw protocol clients that count every part and every token charged.
import { Address } from '@ton/core';
import { randomBytes } from 'crypto';
import { WebSocket } from 'ws';
import {
    dialProtocol,
    newRequestId,
    OUR_VERSIONS,
    ProtocolConnection,
    workerClaims,
    type ClientAnswerEnd,
    type ClientToProxy,
    type ProxyQuery,
    type ProxyToClient,
    type ProxyToWorker,
    type Usage,
    type WorkerToProxy,
} from '../../../offchain/protocol';
import { FAKE_IMAGE_HASH, FakeQuoteProvider, fakePolicy, generateIdentity, PeerVerifier, type RatlsIdentity } from '../../../offchain/ratls';

const fake = new FakeQuoteProvider();
const proxyVerifier = new PeerVerifier({ policy: fakePolicy('the benchmark proxy', () => [FAKE_IMAGE_HASH]) });
const HANDSHAKE_MS = 60_000;
/** The load's own keepalive: off in effect (the proxy's pings still need answers), so that a stall of this busy
 * process does not make it drop the proxy and count as the proxy's failure. */
const LOAD_PING_MS = 3_600_000;
/** Prompt tokens every fake answer reports (the body is a few bytes, so the reservation covers them). */
const PROMPT_TOKENS = 3;

async function dial<In extends 'proxy→worker' | 'proxy→client', Out extends { type: string }>(
    port: number,
    inbound: In,
    identity: RatlsIdentity,
): Promise<ProtocolConnection<In, Out>> {
    const { ws } = await dialProtocol({ host: '127.0.0.1', port, identity, verifier: proxyVerifier, timeoutMs: HANDSHAKE_MS, log: () => {} });
    return new ProtocolConnection<In, Out>(ws, { inbound, label: inbound, log: () => {}, pingMs: LOAD_PING_MS });
}

/** An identity for client connections (they present one, but the proxy checks no claims of it). */
export const clientIdentity = (): Promise<RatlsIdentity> => generateIdentity({ provider: fake });

/** One query a fake worker holds open: the parts it sent so far. */
interface HeldStream {
    worker: FakeWorker;
    requestId: string;
    parts: number;
}

/**
 * Every fake worker of the run. `hold` false: each query is answered at once (head, one part, end). `hold` true:
 * head and a first part at once, then one more part per `trickle` tick, until `finish()` ends them all.
 */
export class WorkerFleet {
    readonly workers: FakeWorker[] = [];
    hold = false;
    /** Owners with their identities, made ahead of the connections (tens of ms each). */
    private readonly ready: { owner: Address; identity: RatlsIdentity }[] = [];
    private held: HeldStream[] = [];
    private next = 0;

    constructor(
        private readonly model: string,
        private readonly maxActive: number,
    ) {}

    /** Makes `n` workers' owners and RA-TLS identities (the claims bind owner and model). */
    async prepare(n: number): Promise<void> {
        for (let i = 0; i < n; i++) {
            const owner = new Address(0, randomBytes(32));
            this.ready.push({ owner, identity: await generateIdentity({ provider: fake, extra: workerClaims({ owner, model: this.model }) }) });
        }
    }

    /** Connects every prepared worker to the proxy's worker port, `parallel` handshakes at a time. */
    async connect(port: number, parallel: number): Promise<void> {
        await Promise.all(
            Array.from({ length: Math.min(parallel, this.ready.length) }, async () => {
                for (let next = this.ready.shift(); next; next = this.ready.shift()) {
                    this.workers.push(await FakeWorker.connect(this, port, this.model, this.maxActive, next.owner, next.identity));
                }
            }),
        );
    }

    get open(): number {
        return this.held.length;
    }

    query(w: FakeWorker, q: ProxyQuery): void {
        w.conn.send({ type: 'answer.head', requestId: q.requestId, status: 200, headers: { 'content-type': 'text/event-stream' } });
        const s: HeldStream = { worker: w, requestId: q.requestId, parts: 0 };
        this.part(s);
        if (this.hold) this.held.push(s);
        else this.end(s);
    }

    /** One more part on `share` of the held streams (round robin), none past `maxParts`. */
    trickle(share: number, maxParts: number): void {
        const n = Math.ceil(this.held.length * share);
        for (let i = 0; i < n && this.held.length > 0; i++) {
            this.next = (this.next + 1) % this.held.length;
            const s = this.held[this.next];
            if (s.parts < maxParts) this.part(s);
        }
    }

    /** Ends `n` of the held streams with their usage. */
    finish(n: number): void {
        for (const s of this.held.splice(0, n)) this.end(s);
    }

    private part(s: HeldStream): void {
        s.parts++;
        s.worker.partsSent++;
        s.worker.conn.send({ type: 'answer.part', requestId: s.requestId, data: `data: {"t":${s.parts}}\n\n` });
    }

    private end(s: HeldStream): void {
        const usage: Usage = { promptTokens: PROMPT_TOKENS, cachedTokens: 0, completionTokens: s.parts, reasoningTokens: 0 };
        s.worker.usageTokens += PROMPT_TOKENS + s.parts;
        s.worker.conn.send({ type: 'answer.end', requestId: s.requestId, usage });
    }

    close(): void {
        for (const w of this.workers) w.conn.close();
    }
}

/** A worker through its handshake at coefficient ×1 (so its adjusted tokens are exactly prompt + completion). */
export class FakeWorker {
    partsSent = 0;
    /** Tokens reported in usage (all at coefficient ×1 and multipliers ×1: the adjusted tokens the proxy must count). */
    usageTokens = 0;
    contract = '';

    private constructor(readonly conn: ProtocolConnection<'proxy→worker', WorkerToProxy>) {}

    static async connect(fleet: WorkerFleet, port: number, model: string, maxActive: number, owner: Address, identity: RatlsIdentity): Promise<FakeWorker> {
        const conn = await dial<'proxy→worker', WorkerToProxy>(port, 'proxy→worker', identity);
        const w = new FakeWorker(conn);
        conn.send({ type: 'worker.hello', protocol: OUR_VERSIONS, owner: owner.toRawString(), model, coefficient: 1000, maxActiveRequests: maxActive });
        w.contract = (await conn.next('proxy.welcome', HANDSHAKE_MS)).workerContract;
        conn.send({ type: 'worker.compare', tokensMax: '0', committedDb: '0', committedChain: '0' });
        const compared = await conn.next('proxy.compared', HANDSHAKE_MS);
        if (!compared.ok) throw new Error(`the proxy refused a fake worker: ${compared.reason}`);
        conn.send({ type: 'worker.state', enabled: true, coefficient: 1000 });
        conn.onMessage((m: ProxyToWorker) => {
            if (m.type === 'proxy.query') fleet.query(w, m);
        });
        return w;
    }
}

/** One request as its client saw it. */
interface Pending {
    parts: number;
    resolve: (end: ClientAnswerEnd & { parts: number }) => void;
    reject: (e: Error) => void;
}

/** A client connection authorized by its secret (short auth), sending queries and counting what comes back. */
export class FakeClient {
    private readonly pending = new Map<string, Pending>();
    /** Requests whose first part arrived. */
    started = 0;

    private constructor(readonly conn: ProtocolConnection<'proxy→client', ClientToProxy>) {
        conn.onMessage((m: ProxyToClient) => this.message(m));
        conn.onClose((info) => {
            for (const p of this.pending.values()) p.reject(new Error(`the proxy closed a client connection (${info.code} ${info.reason})`));
        });
    }

    /** `identity`: any RA-TLS identity (clients are not attested; connections may share one). */
    static async connect(port: number, owner: Address, secret: string, identity: RatlsIdentity): Promise<FakeClient> {
        const conn = await dial<'proxy→client', ClientToProxy>(port, 'proxy→client', identity);
        conn.send({ type: 'client.hello', protocol: OUR_VERSIONS, owner: owner.toRawString() });
        const welcome = await conn.next('proxy.welcome', HANDSHAKE_MS);
        if (welcome.auth.kind !== 'short') throw new Error('the benchmark client contract has no secret hash: the proxy asks for long auth');
        conn.send({ type: 'client.auth', kind: 'short', secret });
        await conn.next('proxy.authorized', HANDSHAKE_MS);
        return new FakeClient(conn);
    }

    /** A streamed query; resolves with its end (the tokens charged) and the parts received. */
    query(model: string, maxTokens: number, timeoutMs: number): Promise<ClientAnswerEnd & { parts: number }> {
        const requestId = newRequestId();
        return new Promise((resolve, reject) => {
            this.pending.set(requestId, { parts: 0, resolve, reject });
            this.conn.send({
                type: 'client.query',
                requestId,
                model,
                path: '/v1/chat/completions',
                body: '{"stream":true}',
                maxCoefficient: 1000,
                maxTokens,
                timeoutMs,
            });
        });
    }

    private message(m: ProxyToClient): void {
        if (m.type !== 'answer.part' && m.type !== 'answer.end' && m.type !== 'answer.error') return;
        const p = this.pending.get(m.requestId);
        if (!p) return;
        if (m.type === 'answer.part') {
            if (p.parts++ === 0) this.started++;
            return;
        }
        this.pending.delete(m.requestId);
        if (m.type === 'answer.end') p.resolve({ ...m, parts: p.parts });
        else p.reject(new Error(`request ${m.requestId} failed: ${m.code}: ${m.message}`));
    }

    close(): void {
        this.conn.close();
    }
}

/** `n` plain TLS WebSockets to `port` (the baseline of a worker connection), `parallel` opening at a time. */
export async function openPlain(port: number, n: number, parallel: number): Promise<WebSocket[]> {
    const open: WebSocket[] = [];
    await Promise.all(
        Array.from({ length: Math.min(parallel, n) }, async () => {
            while (open.length < n) {
                const ws = new WebSocket(`wss://127.0.0.1:${port}`, { rejectUnauthorized: false });
                open.push(ws);
                await new Promise<void>((resolve, reject) => {
                    ws.once('open', resolve);
                    ws.once('error', reject);
                });
            }
        }),
    );
    return open;
}
