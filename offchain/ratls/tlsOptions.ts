import { constants } from 'crypto';
import * as tls from 'tls';
import type { RatlsIdentity } from './identity';

/** TLS 1.3 AES-GCM suites only (as COCOON): no ChaCha20, no TLS 1.2 fallback. */
export const RATLS_CIPHERS = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384';

/**
 * Context options shared by server and client. No session tickets: SSL_OP_NO_TICKET stops stateless tickets, and
 * Node keeps no server-side session store, so every connection is a full handshake with both certificates.
 * Peers present self-signed certificates with unknown critical extensions, which OpenSSL cannot judge, so it does
 * not reject them (rejectUnauthorized: false at the call sites) and our own PeerVerifier decides instead.
 */
export function secureContextOptions(identity: RatlsIdentity): tls.SecureContextOptions {
    return {
        key: identity.keyPem,
        cert: identity.certPem,
        minVersion: 'TLSv1.3',
        maxVersion: 'TLSv1.3',
        ciphers: RATLS_CIPHERS,
        secureOptions: constants.SSL_OP_NO_TICKET,
    };
}

const contexts = new WeakMap<RatlsIdentity, tls.SecureContext>();

/**
 * The identity's secure context, built once: parsing the key and certificate into a fresh OpenSSL context took
 * about a fifth of each client handshake. Identities are never changed in place (a rotation makes a new one), so
 * the context lives as long as its identity object.
 */
export function secureContextFor(identity: RatlsIdentity): tls.SecureContext {
    let context = contexts.get(identity);
    if (!context) {
        context = tls.createSecureContext(secureContextOptions(identity));
        contexts.set(identity, context);
    }
    return context;
}
