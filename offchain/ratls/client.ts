import * as tls from 'tls';
import type { RatlsIdentity } from './identity';
import { IdentityRotator } from './identityRotator';
import { verifyTlsPeer } from './peerCertificate';
import type { PeerVerifier } from './peerVerifier';
import { RatlsError } from './errors';
import type { VerifiedConnection } from './server';
import { secureContextFor } from './tlsOptions';

export interface ConnectRatlsOptions {
    port: number;
    host?: string;
    /** The client's certificate; a rotator gives its current one. */
    identity: RatlsIdentity | IdentityRotator;
    verifier: PeerVerifier;
    timeoutMs?: number;
    log?: (line: string) => void;
}

/**
 * Mutual-TLS 1.3 connection whose server certificate is verified against the policy before the socket is returned,
 * so the caller cannot send a byte to an unverified server. Rejects with RatlsVerificationError naming the check.
 */
export function connectRatls(options: ConnectRatlsOptions): Promise<VerifiedConnection> {
    const host = options.host ?? '127.0.0.1';
    const identity = options.identity instanceof IdentityRotator ? options.identity.current : options.identity;
    const log = options.log ?? console.warn;
    return new Promise((resolve, reject) => {
        const socket = tls.connect({ secureContext: secureContextFor(identity), host, port: options.port, rejectUnauthorized: false });
        const timer = setTimeout(() => fail(new RatlsError(`RA-TLS handshake with ${host}:${options.port} timed out`)), options.timeoutMs ?? 10_000);
        const fail = (e: Error) => {
            clearTimeout(timer);
            socket.destroy();
            reject(e);
        };
        socket.once('error', fail);
        socket.once('secureConnect', () => {
            verifyTlsPeer(socket, options.verifier).then(
                (peer) => {
                    clearTimeout(timer);
                    socket.off('error', fail);
                    resolve({ socket, peer });
                },
                (e: Error) => {
                    log(`RA-TLS: rejected server ${host}:${options.port}: ${e.message}`);
                    fail(e);
                },
            );
        });
    });
}
