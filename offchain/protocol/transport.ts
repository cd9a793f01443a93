import type { WebSocket } from 'ws';
import {
    connectRatls,
    IdentityRotator,
    openWebSocket,
    RatlsServer,
    RatlsWebSocketServer,
    type PeerVerifier,
    type RatlsIdentity,
    type RatlsReport,
} from '../ratls';
import { MAX_MESSAGE_BYTES } from './messages';

export interface ListenOptions {
    port: number;
    host?: string;
    identity: RatlsIdentity | IdentityRotator;
    /** The policy peers must pass before any application byte is read. */
    verifier: PeerVerifier;
    log: (line: string) => void;
    onConnection: (ws: WebSocket, peer: RatlsReport, remote: string) => void;
}

export interface Listener {
    port: number;
    close(): Promise<void>;
}

/** A WebSocket endpoint over mutual RA-TLS: only peers that passed the policy reach `onConnection`. */
export async function listenProtocol(o: ListenOptions): Promise<Listener> {
    const wss = new RatlsWebSocketServer({ maxPayload: MAX_MESSAGE_BYTES });
    const server = new RatlsServer({ identity: o.identity, verifier: o.verifier, onConnection: wss.accept, log: o.log });
    wss.wss.on('connection', (ws, req) => {
        const peer = wss.peerOf(req);
        if (!peer) return ws.terminate();
        o.onConnection(ws, peer, `${req.socket.remoteAddress}:${req.socket.remotePort}`);
    });
    const address = await server.listen(o.port, o.host ?? '127.0.0.1');
    return {
        port: address.port,
        close: async () => {
            await wss.close();
            await server.close();
        },
    };
}

export interface DialOptions {
    host: string;
    port: number;
    identity: RatlsIdentity | IdentityRotator;
    verifier: PeerVerifier;
    timeoutMs?: number;
    log: (line: string) => void;
}

/** Dials a proxy: the server certificate is verified against the policy before the WebSocket opens. */
export async function dialProtocol(o: DialOptions): Promise<{ ws: WebSocket; peer: RatlsReport }> {
    const connection = await connectRatls({ host: o.host, port: o.port, identity: o.identity, verifier: o.verifier, timeoutMs: o.timeoutMs, log: o.log });
    const ws = await openWebSocket(connection, '/', { maxPayload: MAX_MESSAGE_BYTES });
    return { ws, peer: connection.peer };
}

export interface ReconnectOptions {
    /** One session: connect, run until the connection ends. Resolves or rejects when it is over. */
    session: () => Promise<void>;
    minDelayMs?: number;
    maxDelayMs?: number;
    log: (line: string) => void;
    label: string;
}

/**
 * Runs sessions one after another until stopped, waiting between them with exponential backoff and jitter (reset
 * after a session that lasted a minute), so a dialer never hammers a proxy that is down.
 */
export class Reconnector {
    private stopped = false;
    private timer?: NodeJS.Timeout;
    private wake?: () => void;
    private running?: Promise<void>;

    constructor(private readonly o: ReconnectOptions) {}

    start(): void {
        this.running ??= this.loop();
    }

    async stop(): Promise<void> {
        this.stopped = true;
        clearTimeout(this.timer);
        this.wake?.();
        await this.running;
    }

    private async loop(): Promise<void> {
        const min = this.o.minDelayMs ?? 500;
        const max = this.o.maxDelayMs ?? 30_000;
        let delay = min;
        while (!this.stopped) {
            const began = Date.now();
            try {
                await this.o.session();
                if (!this.stopped) this.o.log(`${this.o.label}: session ended`);
            } catch (e) {
                if (!this.stopped) this.o.log(`${this.o.label}: ${(e as Error).message}`);
            }
            if (this.stopped) return;
            delay = Date.now() - began > 60_000 ? min : delay;
            const wait = Math.round(delay * (0.75 + Math.random() * 0.5));
            this.o.log(`${this.o.label}: reconnecting in ${wait} ms`);
            await new Promise<void>((resolve) => {
                this.wake = resolve;
                this.timer = setTimeout(resolve, wait);
            });
            delay = Math.min(delay * 2, max);
        }
    }
}
