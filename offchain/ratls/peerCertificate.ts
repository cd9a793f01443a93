import type * as tls from 'tls';
import { RatlsVerificationError } from './errors';
import type { PeerVerifier } from './peerVerifier';
import type { RatlsReport } from './report';

/** DER of the peer's leaf certificate and how many certificates it sent (0 when it sent none). */
export function peerCertificate(socket: tls.TLSSocket): { der?: Uint8Array; chainLength: number } {
    const leaf = socket.getPeerX509Certificate();
    if (!leaf) return { chainLength: 0 };
    // Node links each sent certificate to its issuer (not always: see the chain test); a self-signed leaf links to
    // itself, so count distinct certificates. The binding check is the verifier's: the leaf must be self-issued.
    const seen = new Set<string>();
    let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
    while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        cert = cert.issuerCertificate;
    }
    return { der: new Uint8Array(leaf.raw), chainLength: Math.max(seen.size, 1) };
}

/** Verifies the peer of an established TLS socket; throws RatlsVerificationError naming the failed check. */
export async function verifyTlsPeer(socket: tls.TLSSocket, verifier: PeerVerifier): Promise<RatlsReport> {
    const { der, chainLength } = peerCertificate(socket);
    if (!der) {
        const detail = 'peer presented no certificate';
        throw new RatlsVerificationError('format', detail, { ok: false, fingerprint: '', checks: [{ name: 'format', ok: false, detail }], cached: false });
    }
    return verifier.verifyOrThrow(der, { chainLength });
}
