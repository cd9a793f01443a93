import type { Duplex } from 'stream';
import type { WebSocket } from 'ws';
import { ProtocolError } from './errors';
import type { Direction, DirectionMessages, ErrorCode } from './messages';
import { MessageValidationError, parseMessage } from './schemas';

export interface ConnectionOptions<In extends Direction> {
    /** Direction of the messages this side receives (their schemas). */
    inbound: In;
    /** Names the peer in log lines, e.g. `worker 0:ab…@127.0.0.1:51234`. */
    label: string;
    log: (line: string) => void;
    /** Ping the peer this often; a peer that has not answered the previous ping by then is dropped (default 5 s). */
    pingMs?: number;
}

export interface CloseInfo {
    code: number;
    reason: string;
}

type Handler<M> = (message: M) => void;

/**
 * One protocol connection: typed JSON frames over a WebSocket, every inbound frame validated against its schema.
 * A frame that fails validation closes this connection (1008) with a logged reason, never the process; keepalive
 * pings detect a dead peer within two ping intervals. Messages that arrive before a handler is set wait for it.
 */
export class ProtocolConnection<In extends Direction, Out extends { type: string }> {
    private handler?: Handler<DirectionMessages[In]>;
    private readonly backlog: DirectionMessages[In][] = [];
    private readonly waiters: { type: string; resolve: (m: DirectionMessages[In]) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
    private readonly closeListeners = new Set<(info: CloseInfo) => void>();
    private closeInfo?: CloseInfo;
    private pingTimer?: NodeJS.Timeout;
    private awaitingPong = false;
    private corked = false;

    constructor(
        readonly ws: WebSocket,
        private readonly opts: ConnectionOptions<In>,
    ) {
        ws.on('message', (data, isBinary) => this.receive(data as Buffer, isBinary));
        ws.on('pong', () => (this.awaitingPong = false));
        ws.on('error', (e) => opts.log(`${opts.label}: connection error: ${e.message}`));
        ws.on('close', (code, reason) => this.closed({ code, reason: reason.toString() }));
        const pingMs = opts.pingMs ?? 5000;
        this.pingTimer = setInterval(() => this.keepalive(pingMs), pingMs);
        this.pingTimer.unref();
    }

    get label(): string {
        return this.opts.label;
    }

    get isOpen(): boolean {
        return !this.closeInfo && this.ws.readyState === this.ws.OPEN;
    }

    /** Sends a message; false when the connection is already closed (the message is dropped). */
    send(message: Out): boolean {
        if (!this.isOpen) return false;
        this.batchWrites();
        this.ws.send(JSON.stringify(message));
        return true;
    }

    /**
     * Holds this turn's frames back until the current code is done, then writes them together: a request's head,
     * parts, end and ledger otherwise each cost a TLS record and a writev of their own (the largest single item in
     * every service's profile). ws has no public handle on its socket; `_socket` has been there through ws 8.
     */
    private batchWrites(): void {
        if (this.corked) return;
        const socket = (this.ws as unknown as { _socket?: Duplex })._socket;
        if (!socket) return;
        this.corked = true;
        socket.cork();
        process.nextTick(() => {
            this.corked = false;
            socket.uncork();
        });
    }

    /** Every message from now on (and those already waiting) goes to `handler`, except those a `next()` awaits. */
    onMessage(handler: Handler<DirectionMessages[In]>): void {
        this.handler = handler;
        for (const m of this.backlog.splice(0)) handler(m);
    }

    onClose(listener: (info: CloseInfo) => void): void {
        if (this.closeInfo) listener(this.closeInfo);
        else this.closeListeners.add(listener);
    }

    /**
     * The next message of `type` (used by handshakes). An `error` message from the peer, a message of another type,
     * a close or the timeout rejects with ProtocolError.
     */
    next<T extends DirectionMessages[In]['type']>(type: T, timeoutMs: number): Promise<Extract<DirectionMessages[In], { type: T }>> {
        return new Promise((resolve, reject) => {
            if (this.closeInfo) return reject(this.closedError(this.closeInfo));
            const queued = this.backlog.shift();
            if (queued) return this.settle(queued, type, resolve as (m: DirectionMessages[In]) => void, reject);
            const timer = setTimeout(() => {
                this.waiters.splice(this.waiters.indexOf(waiter), 1);
                reject(new ProtocolError('timeout', `${this.opts.label}: no ${type} within ${timeoutMs} ms`));
            }, timeoutMs);
            const waiter = { type, resolve: resolve as (m: DirectionMessages[In]) => void, reject, timer };
            this.waiters.push(waiter);
        });
    }

    /** Tells the peer why (an `error` message), logs it, and closes. */
    fail(code: ErrorCode, message: string, wsCode = 1008): void {
        this.opts.log(`${this.opts.label}: closing: ${code}: ${message}`);
        if (this.isOpen) this.ws.send(JSON.stringify({ type: 'error', code, message: message.slice(0, 1000) }));
        this.close(wsCode, code);
    }

    close(code = 1000, reason = ''): void {
        if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason.slice(0, 120));
        // a peer that never answers the close handshake is cut after a second
        setTimeout(() => this.ws.terminate(), 1000).unref();
    }

    private receive(data: Buffer, isBinary: boolean): void {
        this.awaitingPong = false; // any frame shows the peer is alive
        if (isBinary) return this.fail('bad_message', 'binary frames are not part of the protocol');
        let message: DirectionMessages[In];
        try {
            message = parseMessage(this.opts.inbound, data.toString('utf8'));
        } catch (e) {
            if (e instanceof MessageValidationError) return this.fail('bad_message', e.message);
            throw e;
        }
        const waiter = this.waiters.shift();
        if (waiter) {
            clearTimeout(waiter.timer);
            return this.settle(message, waiter.type, waiter.resolve, waiter.reject);
        }
        if (this.handler) this.handler(message);
        else this.backlog.push(message);
    }

    private settle(m: DirectionMessages[In], type: string, resolve: (m: DirectionMessages[In]) => void, reject: (e: Error) => void): void {
        if (m.type === type) return resolve(m);
        if (m.type === 'error') {
            const e = m as unknown as { code: ErrorCode; message: string };
            return reject(new ProtocolError(e.code, `${this.opts.label}: peer refused: ${e.message}`));
        }
        reject(new ProtocolError('bad_message', `${this.opts.label}: expected ${type}, got ${m.type}`));
        this.fail('bad_message', `expected ${type}, got ${m.type}`);
    }

    private keepalive(pingMs: number): void {
        if (!this.isOpen) return;
        if (this.awaitingPong) {
            // decided after this turn's input is read: after a stall of the event loop the pong may be waiting unread
            setImmediate(() => {
                if (!this.awaitingPong || !this.isOpen) return;
                this.opts.log(`${this.opts.label}: peer did not answer a ping within ${pingMs} ms, dropping it`);
                this.ws.terminate();
            });
            return;
        }
        this.awaitingPong = true;
        this.ws.ping();
    }

    private closed(info: CloseInfo): void {
        if (this.closeInfo) return;
        this.closeInfo = info;
        clearInterval(this.pingTimer);
        for (const w of this.waiters.splice(0)) {
            clearTimeout(w.timer);
            w.reject(this.closedError(info));
        }
        for (const l of this.closeListeners) l(info);
        this.closeListeners.clear();
    }

    private closedError(info: CloseInfo): ProtocolError {
        return new ProtocolError('internal', `${this.opts.label}: connection closed (${info.code}${info.reason ? ` ${info.reason}` : ''})`);
    }
}
