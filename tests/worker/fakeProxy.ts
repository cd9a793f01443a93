import { Address } from '@ton/core';
import type { KeyPair } from '@ton/crypto';
import {
    listenProtocol,
    ProtocolConnection,
    proxyClaims,
    type Listener,
    type ProxyInfo,
    type ProxyQuery,
    type ProxyToWorker,
    type WorkerHello,
    type WorkerLedger,
    type WorkerToProxy,
} from '../../offchain/protocol';
import { FAKE_IMAGE_HASH, FakeQuoteProvider, fakePolicy, generateIdentity, PeerVerifier, type RatlsReport } from '../../offchain/ratls';
import { proxyAddress, workerAddress } from '../../wrappers/addresses';
import type { CocoonParams } from '../../wrappers/params';

export const zeroLedger = (): WorkerLedger => ({ tokensMax: '0', committedDb: '0', committedChain: '0', paidOnChain: '0', signedPayout: null });

/** One worker connection as the fake proxy sees it: every message the worker sent, in order. */
export class WorkerLink {
    readonly messages: WorkerToProxy[] = [];
    closed = false;
    private readonly waiters = new Set<() => void>();

    constructor(
        readonly conn: ProtocolConnection<'worker→proxy', ProxyToWorker>,
        readonly peer: RatlsReport,
    ) {
        conn.onMessage((m) => {
            this.messages.push(m);
            this.wake();
        });
        conn.onClose(() => {
            this.closed = true;
            this.wake();
        });
    }

    send(m: ProxyToWorker): void {
        if (!this.conn.send(m)) throw new Error(`cannot send ${m.type}: the connection is closed`);
    }

    /** The first message (from index `from`) that matches; rejects after the timeout or when the connection closes first. */
    async waitFor<T extends WorkerToProxy>(pred: (m: WorkerToProxy) => m is T, timeoutMs?: number, from?: number): Promise<T>;
    async waitFor(pred: (m: WorkerToProxy) => boolean, timeoutMs?: number, from?: number): Promise<WorkerToProxy>;
    async waitFor(pred: (m: WorkerToProxy) => boolean, timeoutMs = 10_000, from = 0): Promise<WorkerToProxy> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const found = this.messages.slice(from).find(pred);
            if (found) return found;
            if (this.closed) throw new Error(`connection closed; messages: ${JSON.stringify(this.messages.map((m) => m.type))}`);
            if (Date.now() > deadline) throw new Error(`timed out; messages: ${JSON.stringify(this.messages.map((m) => m.type))}`);
            await new Promise<void>((resolve) => {
                const t = setTimeout(done, Math.max(1, deadline - Date.now()));
                function done() {
                    clearTimeout(t);
                    resolve();
                }
                this.waiters.add(done);
            });
        }
    }

    waitClosed(timeoutMs = 10_000): Promise<void> {
        return this.waitFor(() => false, timeoutMs).then(
            () => undefined,
            (e: Error) => {
                if (!this.closed) throw e;
            },
        );
    }

    /** Sends a query and collects its answer until answer.end or answer.error. */
    async ask(q: Omit<ProxyQuery, 'type'>, timeoutMs = 15_000): Promise<Answer> {
        const from = this.messages.length;
        this.send({ type: 'proxy.query', ...q });
        const isLast = (m: WorkerToProxy) => (m.type === 'answer.end' || m.type === 'answer.error') && m.requestId === q.requestId;
        const last = await this.waitFor(isLast, timeoutMs, from);
        const mine = this.messages.slice(from).filter((m) => 'requestId' in m && m.requestId === q.requestId);
        const head = mine.find((m) => m.type === 'answer.head');
        const parts = mine.filter((m) => m.type === 'answer.part').map((m) => (m as { data: string }).data);
        const headOut = head && head.type === 'answer.head' ? { status: head.status, headers: head.headers } : null;
        return { head: headOut, parts, body: parts.join(''), last, all: mine };
    }

    private wake(): void {
        for (const w of [...this.waiters]) w();
        this.waiters.clear();
    }
}

export interface Answer {
    head: { status: number; headers: Record<string, string> } | null;
    parts: string[];
    body: string;
    last: WorkerToProxy;
    all: WorkerToProxy[];
}

export interface FakeProxyOptions {
    /** Default 0: a free port, read from `port` after `listen()`. */
    port?: number;
    root: Address;
    params: CocoonParams;
    /** The payment key in the proxy's certificate claims. */
    key: KeyPair;
    owner: Address;
    /** The key the welcome presents (default: `key`); another one makes a proxy the worker must refuse. */
    welcomeKey?: KeyPair;
}

/**
 * A stand-in for the proxy service: listens for workers on RA-TLS with a fake-TDX certificate binding `key`, and
 * answers each handshake itself (welcome, then `compared` with `ledger`), so tests drive the worker message by
 * message without the proxy service.
 */
export class FakeProxy {
    readonly links: WorkerLink[] = [];
    readonly hellos: WorkerHello[] = [];
    /** What `proxy.compared` answers. */
    ledger: WorkerLedger = zeroLedger();
    /** When set, `proxy.compared` refuses with this reason. */
    refuseCompare: string | null = null;
    readonly info: ProxyInfo;
    private listener?: Listener;
    private readonly linkWaiters = new Set<() => void>();

    constructor(readonly o: FakeProxyOptions) {
        const welcomeKey = o.welcomeKey ?? o.key;
        this.info = {
            publicKey: welcomeKey.publicKey.toString('hex'),
            owner: o.owner.toRawString(),
            contract: proxyAddress({ owner: o.owner, proxyPublicKey: welcomeKey.publicKey, root: o.root, params: o.params }).toRawString(),
            root: o.root.toRawString(),
            rootVersion: 0,
            paramsVersion: o.params.paramsVersion,
        };
    }

    get contract(): Address {
        return Address.parse(this.info.contract);
    }

    /** Where it listens (after `listen()`). */
    get port(): number {
        if (!this.listener) throw new Error('the fake proxy is not listening yet');
        return this.listener.port;
    }

    workerContractOf(owner: Address): Address {
        return workerAddress({ owner, proxyAddress: this.contract, proxyPublicKey: Buffer.from(this.info.publicKey, 'hex'), params: this.o.params });
    }

    async listen(): Promise<void> {
        const identity = await generateIdentity({
            provider: new FakeQuoteProvider(),
            extra: proxyClaims({ paymentKey: this.o.key.publicKey, owner: this.o.owner, root: this.o.root }),
        });
        this.listener = await listenProtocol({
            port: this.o.port ?? 0,
            identity,
            verifier: new PeerVerifier({ policy: fakePolicy('workers', () => [FAKE_IMAGE_HASH]) }),
            log: () => {},
            onConnection: (ws, peer) => {
                const link = new WorkerLink(new ProtocolConnection(ws, { inbound: 'worker→proxy', label: 'worker', log: () => {} }), peer);
                this.links.push(link);
                for (const w of [...this.linkWaiters]) w();
                void this.handshake(link).catch(() => {});
            },
        });
    }

    /** The n-th connection (0-based), once it is there. */
    async link(n: number, timeoutMs = 15_000): Promise<WorkerLink> {
        const deadline = Date.now() + timeoutMs;
        while (this.links.length <= n) {
            if (Date.now() > deadline) throw new Error(`no worker connection #${n} within ${timeoutMs} ms`);
            await new Promise<void>((resolve) => {
                const t = setTimeout(done, 50);
                const waiters = this.linkWaiters;
                function done() {
                    clearTimeout(t);
                    waiters.delete(done);
                    resolve();
                }
                waiters.add(done);
            });
        }
        return this.links[n];
    }

    async close(): Promise<void> {
        for (const l of this.links) l.conn.close();
        await this.listener?.close();
    }

    private async handshake(link: WorkerLink): Promise<void> {
        const hello = await link.waitFor((m): m is WorkerHello => m.type === 'worker.hello');
        this.hellos.push(hello);
        const workerContract = this.workerContractOf(Address.parse(hello.owner)).toRawString();
        link.send({ type: 'proxy.welcome', version: 1, proxy: this.info, workerContract });
        await link.waitFor((m) => m.type === 'worker.compare');
        if (this.refuseCompare) {
            link.send({ type: 'proxy.compared', ok: false, reason: this.refuseCompare, ledger: this.ledger });
            link.conn.fail('rollback_detected', this.refuseCompare);
            return;
        }
        link.send({ type: 'proxy.compared', ok: true, ledger: this.ledger });
    }
}
