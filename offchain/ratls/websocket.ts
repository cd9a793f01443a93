import * as http from 'http';
import type * as tls from 'tls';
import { WebSocket, WebSocketServer, type ClientOptions, type ServerOptions } from 'ws';
import type { RatlsReport } from './report';
import type { VerifiedConnection } from './server';

/**
 * A WebSocket server fed with verified RA-TLS connections: pass `accept` as the RatlsServer's onConnection.
 * HTTP and the WebSocket upgrade run over the already verified TLS socket; `peerOf` gives a request's report.
 */
export class RatlsWebSocketServer {
    readonly wss: WebSocketServer;
    private readonly http = http.createServer();
    private readonly peers = new WeakMap<object, RatlsReport>();

    constructor(options: Omit<ServerOptions, 'server' | 'port' | 'noServer'> = {}) {
        this.wss = new WebSocketServer({ ...options, server: this.http });
    }

    readonly accept = (connection: VerifiedConnection): void => {
        this.peers.set(connection.socket, connection.peer);
        this.http.emit('connection', connection.socket);
    };

    peerOf(request: http.IncomingMessage): RatlsReport | undefined {
        return this.peers.get(request.socket);
    }

    close(): Promise<void> {
        for (const client of this.wss.clients) client.terminate();
        return new Promise((resolve) => this.wss.close(() => resolve()));
    }
}

/** Opens a WebSocket over a verified RA-TLS connection (TLS is already done, so the URL scheme is ws:). */
export function openWebSocket(connection: VerifiedConnection, path = '/', options: Omit<ClientOptions, 'createConnection'> = {}): Promise<WebSocket> {
    const socket: tls.TLSSocket = connection.socket;
    // The host in the URL only fills the Host header: the connection is the given socket.
    const ws = new WebSocket(`ws://localhost${path}`, { ...options, createConnection: () => socket });
    return new Promise((resolve, reject) => {
        ws.once('open', () => {
            ws.off('error', reject);
            resolve(ws);
        });
        ws.once('error', reject);
    });
}
