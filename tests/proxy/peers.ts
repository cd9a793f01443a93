import { Address } from '@ton/core';
import {
    dialProtocol,
    OUR_VERSIONS,
    ProtocolConnection,
    workerClaims,
    type ClientToProxy,
    type DirectionMessages,
    type ProxyQuery,
    type WorkerToProxy,
} from '../../offchain/protocol';
import { FAKE_IMAGE_HASH, FakeQuoteProvider, fakePolicy, generateIdentity, PeerVerifier } from '../../offchain/ratls';

const fake = new FakeQuoteProvider();
const proxyVerifier = () => new PeerVerifier({ policy: fakePolicy('test proxies', () => [FAKE_IMAGE_HASH]) });

/** A raw protocol peer: every message it receives is kept, and can be awaited by predicate. */
export class Peer<In extends 'proxy→worker' | 'proxy→client', Out extends { type: string }> {
    readonly received: DirectionMessages[In][] = [];
    private readonly waiters: { pred: (m: DirectionMessages[In]) => boolean; resolve: (m: DirectionMessages[In]) => void }[] = [];
    closed: { code: number; reason: string } | null = null;
    /** Called with every message before it is kept (a fake worker answers queries here). */
    hook?: (m: DirectionMessages[In]) => void;

    constructor(readonly conn: ProtocolConnection<In, Out>) {
        conn.onMessage((m) => {
            this.hook?.(m);
            this.received.push(m);
            for (const w of [...this.waiters]) {
                if (w.pred(m)) {
                    this.waiters.splice(this.waiters.indexOf(w), 1);
                    w.resolve(m);
                }
            }
        });
        conn.onClose((info) => (this.closed = info));
    }

    send(m: Out): void {
        this.conn.send(m);
    }

    /** The first message (already received or coming) matching `pred`. */
    waitFor<T extends DirectionMessages[In]>(pred: (m: DirectionMessages[In]) => boolean, timeoutMs = 10_000): Promise<T> {
        const had = this.received.find(pred);
        if (had) return Promise.resolve(had as T);
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.received.map((m) => m.type))}`)), timeoutMs);
            this.waiters.push({
                pred,
                resolve: (m) => {
                    clearTimeout(timer);
                    resolve(m as T);
                },
            });
        });
    }

    waitType<T extends DirectionMessages[In]['type']>(type: T, timeoutMs?: number) {
        return this.waitFor<Extract<DirectionMessages[In], { type: T }>>((m) => m.type === type, timeoutMs);
    }

    async waitClosed(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
        const deadline = Date.now() + timeoutMs;
        while (!this.closed) {
            if (Date.now() > deadline) throw new Error('connection did not close');
            await new Promise((r) => setTimeout(r, 20));
        }
        return this.closed;
    }

    close(): void {
        this.conn.close();
    }
}

export type WorkerPeer = Peer<'proxy→worker', WorkerToProxy>;
export type ClientPeer = Peer<'proxy→client', ClientToProxy>;

export async function dialWorker(port: number, owner: Address, model: string, claimsModel = model): Promise<WorkerPeer> {
    const identity = await generateIdentity({ provider: fake, extra: workerClaims({ owner, model: claimsModel }) });
    const { ws } = await dialProtocol({ host: '127.0.0.1', port, identity, verifier: proxyVerifier(), log: () => {} });
    return new Peer(new ProtocolConnection<'proxy→worker', WorkerToProxy>(ws, { inbound: 'proxy→worker', label: 'test worker', log: () => {} }));
}

/** A worker through its whole handshake (zero counters), enabled at `coefficient`. */
export async function connectWorker(port: number, owner: Address, model: string, coefficient = 1000, maxActiveRequests = 4): Promise<WorkerPeer> {
    const w = await dialWorker(port, owner, model);
    w.send({ type: 'worker.hello', protocol: OUR_VERSIONS, owner: owner.toRawString(), model, coefficient, maxActiveRequests });
    await w.waitType('proxy.welcome');
    w.send({ type: 'worker.compare', tokensMax: '0', committedDb: '0', committedChain: '0' });
    const compared = await w.waitType('proxy.compared');
    if (!compared.ok) throw new Error(`compare refused: ${compared.reason}`);
    w.send({ type: 'worker.state', enabled: true, coefficient });
    return w;
}

/** Answers every query: head, the parts, then `answer.end` with `usage` (or what `answer` returns). */
export function serve(w: WorkerPeer, answer: (q: ProxyQuery) => WorkerToProxy[] | 'ignore'): ProxyQuery[] {
    const seen: ProxyQuery[] = [];
    w.hook = (m) => {
        if (m.type !== 'proxy.query') return;
        seen.push(m);
        const out = answer(m);
        if (out !== 'ignore') for (const x of out) w.send(x);
    };
    return seen;
}

export async function dialClient(port: number): Promise<ClientPeer> {
    const identity = await generateIdentity({ provider: fake });
    const { ws } = await dialProtocol({ host: '127.0.0.1', port, identity, verifier: proxyVerifier(), log: () => {} });
    return new Peer(new ProtocolConnection<'proxy→client', ClientToProxy>(ws, { inbound: 'proxy→client', label: 'test client', log: () => {} }));
}
