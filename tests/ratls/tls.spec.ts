import { webcrypto } from 'crypto';
import * as tls from 'tls';
import { buildCertificate, ED25519, generateEd25519Keys, rawPublicKey } from '../../offchain/ratls/certificateBuilder';
import { OID_TDX_QUOTE, OID_USER_CLAIMS } from '../../offchain/ratls/oids';
import { claimsReportData, serializeClaims } from '../../offchain/ratls/claims';
import { connectRatls } from '../../offchain/ratls/client';
import { RatlsVerificationError } from '../../offchain/ratls/errors';
import { FAKE_IMAGE_HASH } from '../../offchain/ratls/fakeQuote';
import { generateIdentity, type RatlsIdentity } from '../../offchain/ratls/identity';
import { PeerVerifier } from '../../offchain/ratls/peerVerifier';
import { fakePolicy, type RatlsPolicy } from '../../offchain/ratls/policy';
import { FakeQuoteProvider, TsmQuoteProvider } from '../../offchain/ratls/providers';
import { RatlsServer, type VerifiedConnection } from '../../offchain/ratls/server';
import { RATLS_CIPHERS, secureContextFor } from '../../offchain/ratls/tlsOptions';
import { openWebSocket, RatlsWebSocketServer } from '../../offchain/ratls/websocket';
import { x509 } from '../../offchain/ratls/x509';
import { logSink, trustingTdxVerifier } from './helpers';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { simulatedTsm, syntheticQuote } from './simulatedTsm';

const fake = new FakeQuoteProvider();
const acceptFake = () => new PeerVerifier({ policy: fakePolicy('local', () => [FAKE_IMAGE_HASH]) });

/** A server that echoes every chunk, and the connections it accepted. */
async function echoServer(identity: RatlsIdentity, verifier: PeerVerifier, log: (l: string) => void) {
    const accepted: VerifiedConnection[] = [];
    const server = new RatlsServer({
        identity,
        verifier,
        log,
        onConnection: (c) => {
            accepted.push(c);
            c.socket.on('data', (d) => c.socket.write(d));
        },
    });
    const { port } = await server.listen();
    return { server, port, accepted };
}

function closed(socket: tls.TLSSocket): Promise<{ data: string }> {
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('error', () => undefined);
    return new Promise((resolve) => socket.once('close', () => resolve({ data })));
}

describe('RA-TLS mutual TLS', () => {
    let serverId: RatlsIdentity;
    let clientId: RatlsIdentity;
    beforeAll(async () => {
        serverId = await generateIdentity({ provider: fake });
        clientId = await generateIdentity({ provider: fake });
    });

    it('two fake-TDX endpoints accept each other and exchange a WebSocket message', async () => {
        const sink = logSink();
        const wss = new RatlsWebSocketServer();
        const server = new RatlsServer({ identity: serverId, verifier: acceptFake(), log: sink.log, onConnection: wss.accept });
        const { port } = await server.listen();
        const peers: string[] = [];
        wss.wss.on('connection', (ws, req) => {
            peers.push(wss.peerOf(req)!.publicKey!);
            ws.on('message', (m) => ws.send(`echo:${m.toString()}`));
        });
        try {
            const conn = await connectRatls({ port, identity: clientId, verifier: acceptFake(), log: sink.log });
            expect(conn.peer.ok).toBe(true);
            expect(conn.peer.provider).toBe('fake');
            expect(conn.peer.fingerprint).toBe(serverId.fingerprint);
            expect(conn.peer.quote!.imageHash).toBe('5c55c8f4db4010ba9203d83536d0609856af8c847ac039e37e7dde8fbd574b61');
            expect(conn.socket.getProtocol()).toBe('TLSv1.3');
            expect(conn.socket.getCipher().name).toBe('TLS_AES_128_GCM_SHA256');
            const ws = await openWebSocket(conn, '/v1/stream');
            const reply = new Promise<string>((r) => ws.once('message', (m) => r(m.toString())));
            ws.send('hello');
            expect(await reply).toBe('echo:hello');
            expect(peers).toEqual([Buffer.from(clientId.publicKey).toString('hex')]);
            ws.close();
            expect(sink.lines).toEqual([]);
        } finally {
            await wss.close();
            await server.close();
        }
    });

    it('refuses a client without a certificate, naming the reason', async () => {
        const sink = logSink();
        const { server, port, accepted } = await echoServer(serverId, acceptFake(), sink.log);
        try {
            const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, minVersion: 'TLSv1.3' });
            const { data } = await closed(socket);
            expect(data).toBe('');
            expect(accepted).toHaveLength(0);
            expect(sink.lines).toHaveLength(1);
            expect(sink.lines[0]).toMatch(/^RA-TLS: rejected client 127\.0\.0\.1:\d+: RA-TLS check "format" failed: peer presented no certificate$/);
        } finally {
            await server.close();
        }
    });

    it('a socket error while the client is being verified is logged, not thrown, and nothing is accepted', async () => {
        const sink = logSink();
        let release!: () => void;
        let verifying!: () => void;
        const held = new Promise<void>((r) => (release = r));
        const started = new Promise<void>((r) => (verifying = r));
        const slow = new PeerVerifier({ policy: fakePolicy('slow', async () => (verifying(), await held, [FAKE_IMAGE_HASH])) });
        const { server, port, accepted } = await echoServer(serverId, slow, sink.log);
        const serverSide = new Promise<tls.TLSSocket>((r) => server.tls.once('secureConnection', r));
        try {
            const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, key: clientId.keyPem, cert: clientId.certPem });
            socket.on('error', () => undefined);
            await started;
            (await serverSide).destroy(new Error('connection lost'));
            release();
            await closed(socket);
            expect(accepted).toHaveLength(0);
            expect(sink.lines).toHaveLength(1);
            expect(sink.lines[0]).toMatch(/^RA-TLS: client 127\.0\.0\.1:\d+ failed during verification: connection lost$/);
        } finally {
            await server.close();
        }
    });

    it('offers only the TLS 1.3 AES-GCM suites: a ChaCha20-only or TLS 1.2 client cannot connect', async () => {
        const sink = logSink();
        const { server, port, accepted } = await echoServer(serverId, acceptFake(), sink.log);
        try {
            expect(RATLS_CIPHERS).toBe('TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384');
            const attempts = [
                { ciphers: 'TLS_CHACHA20_POLY1305_SHA256', minVersion: 'TLSv1.3' as const },
                { maxVersion: 'TLSv1.2' as const },
            ];
            for (const extra of attempts) {
                const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, key: clientId.keyPem, cert: clientId.certPem, ...extra });
                const error = await new Promise<Error>((r) => socket.once('error', r));
                expect(error.message).toMatch(/alert/);
            }
            expect(accepted).toHaveLength(0);
            const conn = await connectRatls({ port, identity: clientId, verifier: acceptFake(), log: sink.log });
            conn.socket.destroy();
        } finally {
            await server.close();
        }
    });

    it('a client identity\'s secure context is built once and presents that identity on every connection', async () => {
        const sink = logSink();
        const { server, port, accepted } = await echoServer(serverId, acceptFake(), sink.log);
        try {
            expect(secureContextFor(clientId)).toBe(secureContextFor(clientId));
            expect(secureContextFor(serverId)).not.toBe(secureContextFor(clientId));
            for (let i = 0; i < 2; i++) {
                const conn = await connectRatls({ port, identity: clientId, verifier: acceptFake(), log: sink.log });
                expect(conn.peer.fingerprint).toBe(serverId.fingerprint);
                conn.socket.write('x'); // echoed only once the server has accepted this client
                await new Promise((r) => conn.socket.once('data', r));
                conn.socket.destroy();
            }
            expect(accepted.map((c) => c.peer.fingerprint)).toEqual([clientId.fingerprint, clientId.fingerprint]);
            expect(sink.lines).toEqual([]);
        } finally {
            await server.close();
        }
    });

    it('issues no resumable sessions: a second connection with the first one\'s session does a full handshake', async () => {
        const sink = logSink();
        const { server, port } = await echoServer(serverId, acceptFake(), sink.log);
        try {
            const first = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, key: clientId.keyPem, cert: clientId.certPem });
            const session = await new Promise<Buffer>((r) => first.once('session', r));
            first.destroy();
            const second = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, key: clientId.keyPem, cert: clientId.certPem, session });
            await new Promise((r) => second.once('secureConnect', r));
            expect(second.isSessionReused()).toBe(false);
            second.destroy();
        } finally {
            await server.close();
        }
    });
});

/** Certificates that a fake-TDX peer must refuse, each with the check that must name the refusal. */
type BadCase = { name: string; check: string; reason: RegExp; make: () => Promise<RatlsIdentity | { keyPem: string; certPem: string }>; verifier?: () => PeerVerifier };

async function ed25519Pieces() {
    const keys = await generateEd25519Keys();
    const publicKey = await rawPublicKey(keys.publicKey);
    return { keys, publicKey };
}

function freshClaims(publicKey: Uint8Array): Uint8Array {
    return serializeClaims({ version: 1, publicKey, issuedAt: Math.floor(Date.now() / 1000), extra: {} });
}

const inADay = () => ({ notBefore: new Date(Math.floor(Date.now() / 1000) * 1000), notAfter: new Date(Math.floor(Date.now() / 1000) * 1000 + 86_400_000) });

const tsmRoot = mkdtempSync(path.join(tmpdir(), 'ratls-tsm-'));
const tdxPolicy: RatlsPolicy = { name: 'tdx-test', production: false, providers: ['tdx'], allowDebug: false };

const badCases: BadCase[] = [
    {
        name: 'image hash not allowed',
        check: 'imageHash',
        reason: /image hash 5c55c8f4db4010ba9203d83536d0609856af8c847ac039e37e7dde8fbd574b61 is not allowed by policy "strict"$/,
        make: () => generateIdentity({ provider: fake }),
        verifier: () => new PeerVerifier({ policy: fakePolicy('strict', () => ['ab'.repeat(32)]) }),
    },
    {
        name: 'quote and claims lifted from another key',
        check: 'claimsKey',
        reason: /claims bind key [0-9a-f]{64}, certificate key is [0-9a-f]{64}$/,
        make: async () => {
            const victim = await ed25519Pieces();
            const attacker = await ed25519Pieces();
            const claims = freshClaims(victim.publicKey);
            return buildCertificate({ keys: attacker.keys, ...inADay(), claims, quote: claimsReportData(claims) });
        },
    },
    {
        name: 'quote bound to another key, claims rewritten',
        check: 'reportData',
        reason: /quote REPORTDATA [0-9a-f]{128} ≠ SHA-512\(claims\) [0-9a-f]{128}$/,
        make: async () => {
            const victim = await ed25519Pieces();
            const attacker = await ed25519Pieces();
            const quote = claimsReportData(freshClaims(victim.publicKey));
            return buildCertificate({ keys: attacker.keys, ...inADay(), claims: freshClaims(attacker.publicKey), quote });
        },
    },
    {
        name: 'expired certificate',
        check: 'validity',
        reason: /expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/,
        make: () => generateIdentity({ provider: fake, now: new Date(Date.now() - 2 * 86_400_000) }),
    },
    {
        name: 'DEBUG TD',
        check: 'debug',
        reason: /TD has the DEBUG attribute set$/,
        make: () => generateIdentity({ provider: new TsmQuoteProvider({ root: tsmRoot, fs: simulatedTsm((rd) => syntheticQuote(rd, { debug: true })) }) }),
        verifier: () => new PeerVerifier({ policy: tdxPolicy, verifyTdxQuote: trustingTdxVerifier() }),
    },
    {
        name: 'unknown critical extension',
        check: 'criticalExtensions',
        reason: /unknown critical extension 1\.3\.6\.1\.4\.1\.99999\.7$/,
        make: async () => {
            const { keys, publicKey } = await ed25519Pieces();
            const claims = freshClaims(publicKey);
            const extraExtensions = [new x509.Extension('1.3.6.1.4.1.99999.7', true, new Uint8Array([5, 0]))];
            return buildCertificate({ keys, ...inADay(), claims, quote: claimsReportData(claims), extraExtensions });
        },
    },
    {
        name: 'non-Ed25519 key',
        check: 'ed25519Key',
        reason: /key algorithm 1\.2\.840\.10045\.2\.1, signature algorithm 1\.2\.840\.10045\.4\.3\.2; only Ed25519 \(1\.3\.101\.112\) is accepted$/,
        make: async () => {
            const ec = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
            const claims = freshClaims((await ed25519Pieces()).publicKey);
            return buildCertificate({ keys: ec, ...inADay(), claims, quote: claimsReportData(claims), signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams });
        },
    },
    {
        name: 'a chain (leaf signed by a CA) instead of one self-signed certificate',
        check: 'chainDepth',
        // Node links a sent chain only when OpenSSL accepts the issuer, which the COCOON critical extensions
        // prevent here; the leaf not being self-issued is what refuses it.
        reason: /certificate is not self-issued$/,
        make: async () => {
            const ca = await ed25519Pieces();
            const leaf = await ed25519Pieces();
            const { notBefore, notAfter } = inADay();
            const caCert = await x509.X509CertificateGenerator.createSelfSigned({
                serialNumber: '01', name: 'CN=test CA', notBefore, notAfter, signingAlgorithm: ED25519, keys: ca.keys as never,
                extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
            });
            const claims = freshClaims(leaf.publicKey);
            const leafCert = await x509.X509CertificateGenerator.create({
                serialNumber: '02', subject: 'CN=localhost', issuer: caCert.subject, notBefore, notAfter, signingAlgorithm: ED25519,
                publicKey: leaf.keys.publicKey as never, signingKey: ca.keys.privateKey as never,
                extensions: [new x509.Extension(OID_TDX_QUOTE, true, claimsReportData(claims)), new x509.Extension(OID_USER_CLAIMS, true, claims)],
            });
            const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', leaf.keys.privateKey);
            return { keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'), certPem: `${leafCert.toString('pem')}\n${caCert.toString('pem')}\n` };
        },
    },
    {
        name: 'fake quote presented to a tdx policy',
        check: 'provider',
        reason: /provider fake not accepted by policy "tdx-test" \(accepts tdx\)$/,
        make: () => generateIdentity({ provider: fake }),
        verifier: () => new PeerVerifier({ policy: tdxPolicy, verifyTdxQuote: trustingTdxVerifier() }),
    },
];

describe('RA-TLS rejections name the failed check', () => {
    let good: RatlsIdentity;
    beforeAll(async () => {
        good = await generateIdentity({ provider: fake });
    });
    afterAll(() => rmSync(tsmRoot, { recursive: true }));

    it.each(badCases)('server refuses a client: $name', async ({ check, reason, make, verifier }) => {
        const bad = await make();
        const sink = logSink();
        const { server, port, accepted } = await echoServer(good, (verifier ?? acceptFake)(), sink.log);
        try {
            const conn = await connectRatls({ port, identity: bad as RatlsIdentity, verifier: acceptFake(), log: sink.log });
            conn.socket.write('secret');
            const { data } = await closed(conn.socket);
            expect(data).toBe('');
            expect(accepted).toHaveLength(0);
            expect(sink.lines).toHaveLength(1);
            expect(sink.lines[0]).toMatch(new RegExp(`^RA-TLS: rejected client 127\\.0\\.0\\.1:\\d+: RA-TLS check "${check}" failed: `));
            expect(sink.lines[0]).toMatch(reason);
        } finally {
            await server.close();
        }
    });

    it.each(badCases)('client refuses a server: $name', async ({ check, reason, make, verifier }) => {
        const bad = await make();
        const sink = logSink();
        const { server, port } = await echoServer(bad as RatlsIdentity, acceptFake(), () => undefined);
        try {
            const error = await connectRatls({ port, identity: good, verifier: (verifier ?? acceptFake)(), log: sink.log }).catch((e) => e);
            expect(error).toBeInstanceOf(RatlsVerificationError);
            expect((error as RatlsVerificationError).check).toBe(check);
            expect((error as RatlsVerificationError).message).toMatch(reason);
            expect((error as RatlsVerificationError).report.ok).toBe(false);
            expect(sink.lines).toEqual([`RA-TLS: rejected server 127.0.0.1:${port}: ${(error as Error).message}`]);
        } finally {
            await server.close();
        }
    });
});
