import type { AddressInfo } from 'net';
import * as tls from 'tls';
import type { RatlsIdentity } from './identity';
import { IdentityRotator } from './identityRotator';
import { verifyTlsPeer } from './peerCertificate';
import type { PeerVerifier } from './peerVerifier';
import type { RatlsReport } from './report';
import { secureContextOptions } from './tlsOptions';

/** A TLS socket whose peer passed the policy, with the peer's report. */
export interface VerifiedConnection {
    socket: tls.TLSSocket;
    peer: RatlsReport;
}

export interface RatlsServerOptions {
    /** A fixed identity, or a rotator whose new certificates apply to new handshakes. */
    identity: RatlsIdentity | IdentityRotator;
    verifier: PeerVerifier;
    /** Called only after the peer is verified; no application byte is read before. */
    onConnection: (connection: VerifiedConnection) => void;
    /** Where rejections are reported (default console.warn). */
    log?: (line: string) => void;
    handshakeTimeoutMs?: number;
}

/**
 * Mutual-TLS 1.3 server: every client must present a certificate, which is verified against the policy before the
 * connection is handed to the application; a rejected client is disconnected and the failed check logged.
 */
export class RatlsServer {
    readonly tls: tls.Server;
    private readonly open = new Set<tls.TLSSocket>();
    private readonly unsubscribe?: () => void;
    private readonly log: (line: string) => void;

    constructor(private readonly options: RatlsServerOptions) {
        this.log = options.log ?? console.warn;
        const source = options.identity;
        const identity = source instanceof IdentityRotator ? source.current : source;
        this.tls = tls.createServer({
            ...secureContextOptions(identity),
            requestCert: true,
            rejectUnauthorized: false,
            handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
        });
        if (source instanceof IdentityRotator) this.unsubscribe = source.onRotate((next) => this.setIdentity(next));
        this.tls.on('secureConnection', (socket) => this.accept(socket));
        this.tls.on('tlsClientError', (e, socket) => {
            const who = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'a client';
            this.log(`RA-TLS: handshake with ${who} failed: ${e.message}`);
        });
    }

    /** New handshakes use this certificate; established connections are untouched. */
    setIdentity(identity: RatlsIdentity): void {
        this.tls.setSecureContext(secureContextOptions(identity));
    }

    /** Listens on 127.0.0.1 unless told otherwise; port 0 picks a free one. */
    listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
        return new Promise((resolve, reject) => {
            this.tls.once('error', reject);
            this.tls.listen(port, host, () => {
                this.tls.off('error', reject);
                resolve(this.tls.address() as AddressInfo);
            });
        });
    }

    /** Stops listening and drops every open connection. */
    close(): Promise<void> {
        this.unsubscribe?.();
        for (const socket of this.open) socket.destroy();
        return new Promise((resolve) => this.tls.close(() => resolve()));
    }

    private async accept(socket: tls.TLSSocket): Promise<void> {
        this.open.add(socket);
        socket.once('close', () => this.open.delete(socket));
        const who = `${socket.remoteAddress}:${socket.remotePort}`;
        // Until the application owns the socket, a reset by the client must not be an unhandled 'error'.
        const onError = (e: Error) => this.log(`RA-TLS: client ${who} failed during verification: ${e.message}`);
        socket.on('error', onError);
        try {
            const peer = await verifyTlsPeer(socket, this.options.verifier);
            if (socket.destroyed) return;
            socket.off('error', onError);
            this.options.onConnection({ socket, peer });
        } catch (e) {
            this.log(`RA-TLS: rejected client ${who}: ${(e as Error).message}`);
            socket.destroy();
        }
    }
}
