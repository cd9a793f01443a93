// RA-TLS mutual handshakes per second against plain Node mutual TLS 1.3 with the same key type (Ed25519), the same
// TLS settings and the same concurrency, measured alternately in the same run. A handshake counts when the client
// has the server's first byte: by then both sides have verified each other.
import * as tls from 'tls';
import { connectRatls } from '../../../offchain/ratls/client';
import { FAKE_IMAGE_HASH } from '../../../offchain/ratls/fakeQuote';
import { generateIdentity, type RatlsIdentity } from '../../../offchain/ratls/identity';
import { PeerVerifier } from '../../../offchain/ratls/peerVerifier';
import { fakePolicy } from '../../../offchain/ratls/policy';
import { FakeQuoteProvider, NoQuoteProvider } from '../../../offchain/ratls/providers';
import { RatlsServer } from '../../../offchain/ratls/server';
import { secureContextOptions } from '../../../offchain/ratls/tlsOptions';
import { paired, rateAsync } from './rate';
import { BenchOptions, BenchSection, markdownTable, Target } from './section';

const TARGET = 0.8;

/** Resolves on the socket's first byte, then destroys it. */
function firstByte(socket: tls.TLSSocket): Promise<void> {
    return new Promise((resolve, reject) => {
        socket.once('data', () => {
            socket.destroy();
            resolve();
        });
        socket.once('error', reject);
        socket.once('close', () => reject(new Error('closed before the first byte')));
    });
}

interface Endpoint {
    handshake: () => Promise<void>;
    close: () => Promise<void>;
}

/** Plain mutual TLS: self-signed Ed25519 certificates without RA-TLS extensions, each side trusting the other's as its CA. */
async function plainEndpoint(): Promise<Endpoint> {
    const none = new NoQuoteProvider();
    const [server, client] = [await generateIdentity({ provider: none }), await generateIdentity({ provider: none })];
    const listener = tls.createServer({ ...secureContextOptions(server), requestCert: true, rejectUnauthorized: true, ca: [client.certPem] }, (s) => s.end('k'));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as { port: number };
    const context = tls.createSecureContext({ ...secureContextOptions(client), ca: [server.certPem] });
    return {
        handshake: () => firstByte(tls.connect({ port, host: '127.0.0.1', servername: 'localhost', secureContext: context, rejectUnauthorized: true })),
        close: () => new Promise((resolve) => listener.close(() => resolve())),
    };
}

async function ratlsEndpoint(serverId: RatlsIdentity, clientId: RatlsIdentity, cache: boolean): Promise<Endpoint> {
    const policy = fakePolicy('bench', () => [FAKE_IMAGE_HASH]);
    const server = new RatlsServer({ identity: serverId, verifier: new PeerVerifier({ policy, cache }), onConnection: ({ socket }) => socket.end('k') });
    const { port } = await server.listen();
    const verifier = new PeerVerifier({ policy, cache });
    return {
        handshake: async () => firstByte((await connectRatls({ port, identity: clientId, verifier })).socket),
        close: () => server.close(),
    };
}

export async function benchRatls(o: BenchOptions): Promise<BenchSection> {
    const seconds = o.smoke ? 0.1 : 0.2;
    const rounds = o.smoke ? 1 : 25;
    const fake = new FakeQuoteProvider();
    const [serverId, clientId] = [await generateIdentity({ provider: fake }), await generateIdentity({ provider: fake })];
    const plain = await plainEndpoint();
    const ratls = await ratlsEndpoint(serverId, clientId, true);
    const uncached = await ratlsEndpoint(serverId, clientId, false);
    const rows: (string | number)[][] = [];
    const targets: Target[] = [];
    try {
        for (const parallel of [1, 8]) {
            o.log(`ratls: ${parallel} in flight, ${rounds} windows of ${seconds} s each side`);
            const cached = await paired(rounds, () => rateAsync(seconds, parallel, ratls.handshake), () => rateAsync(seconds, parallel, plain.handshake));
            const cold = await paired(rounds, () => rateAsync(seconds, parallel, uncached.handshake), () => rateAsync(seconds, parallel, plain.handshake));
            const pct = (r: number) => `${Math.round(r * 100)}%`;
            rows.push([parallel, Math.round(cached.baseline), Math.round(cached.subject), pct(cached.ratio), pct(cached.cpuRatio), Math.round(cold.subject), pct(cold.ratio), pct(cold.cpuRatio)]);
            targets.push({ what: `RA-TLS ÷ plain mTLS handshakes/s, ${parallel} in flight`, measured: pct(cached.ratio), target: `≥ ${pct(TARGET)}`, met: cached.ratio >= TARGET });
        }
    } finally {
        for (const e of [plain, ratls, uncached]) await e.close();
    }
    return {
        title: 'RA-TLS mutual handshakes',
        table: markdownTable(
            ['in flight', 'plain mTLS /s', 'RA-TLS /s', 'RA-TLS ÷ plain', 'by CPU', 'RA-TLS, cache off /s', 'cache off ÷ plain', 'by CPU'],
            rows,
        ),
        targets,
        notes: [
            `Both over 127.0.0.1 in one process, Ed25519 self-signed certificates, TLS 1.3 AES-GCM, no session tickets (every connection a full handshake with both certificates), one secure context per client. Plain mTLS trusts the peer's certificate as its CA (OpenSSL verifies it); RA-TLS certificates carry a fake TDX quote and claims and both sides run PeerVerifier (fake policy with an image-hash list) before the first byte.`,
            `${rounds} windows of ${seconds} s per side, interleaved plain/RA-TLS so a change of load falls on both; rates are totals over those windows. "By CPU" compares handshakes per CPU-second of this process, which other load on the machine disturbs less. "Cache off" verifies every peer certificate in full on every handshake; with the cache (the services' setting) a certificate seen before is found by its SHA-256 and only the policy part (validity, provider, allowlists) runs again.`,
            'Profile (node --cpu-prof, 8 in flight): the RA-TLS client built a new OpenSSL secure context from PEM for every connection, about a fifth of its busy time; it now builds one per identity. What RA-TLS still adds is reading the peer certificate (getPeerCertificate(true), for the chain length) and the policy checks, a few per cent; the rest is TLS itself and loopback I/O, the same as for plain mTLS. With the cache off, a third of each peer verification was OpenSSL decoding the Ed25519 SPKI (~110 µs, more than the signature check); the key is now imported from its 32 bytes (~8 µs).',
        ],
    };
}
