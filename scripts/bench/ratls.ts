/**
 * `npm run bench:ratls`: RA-TLS cost. (1) Mutual TLS 1.3 handshakes per second on 127.0.0.1 with fake-TDX
 * certificates, both sides verifying the peer before the first application byte, verification cache on and off,
 * one at a time and 8 in flight. (2) Peer-certificate verifications per second, including a real TDX quote with
 * Intel collateral (quote-c from shared/fixtures, bound to another key, so reportData fails but every check runs).
 * Bounded: each row stops after 2 seconds or its iteration cap.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { parseCollateral } from '../../offchain/attest';
import { buildCertificate, generateEd25519Keys, rawPublicKey } from '../../offchain/ratls/certificateBuilder';
import { serializeClaims } from '../../offchain/ratls/claims';
import { connectRatls } from '../../offchain/ratls/client';
import { FAKE_IMAGE_HASH } from '../../offchain/ratls/fakeQuote';
import { generateIdentity, type RatlsIdentity } from '../../offchain/ratls/identity';
import { PeerVerifier } from '../../offchain/ratls/peerVerifier';
import { fakePolicy, productionPolicy } from '../../offchain/ratls/policy';
import { FakeQuoteProvider } from '../../offchain/ratls/providers';
import { RatlsServer } from '../../offchain/ratls/server';
import { attestQuoteVerifier } from '../../offchain/ratls/tdxQuoteVerifier';

const FIXTURES = process.env.TDX_FIXTURES ?? join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'tdx');
const SECONDS = 2;

interface Row {
    name: string;
    n: number;
    seconds: number;
}

async function measure(name: string, cap: number, parallel: number, once: () => Promise<void>): Promise<Row> {
    await once();
    const start = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
    let n = 0;
    const worker = async () => {
        while (n < cap && elapsed() < SECONDS) {
            n++;
            await once();
        }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return { name, n, seconds: elapsed() };
}

async function handshakeRows(): Promise<Row[]> {
    const fake = new FakeQuoteProvider();
    const [serverId, clientId] = [await generateIdentity({ provider: fake }), await generateIdentity({ provider: fake })];
    const policy = fakePolicy('bench', () => [FAKE_IMAGE_HASH]);
    const rows: Row[] = [];
    for (const cache of [true, false]) {
        const server = new RatlsServer({
            identity: serverId,
            verifier: new PeerVerifier({ policy, cache }),
            onConnection: ({ socket }) => socket.end('k'),
        });
        const { port } = await server.listen();
        const clientVerifier = new PeerVerifier({ policy, cache });
        // Done when the server's first byte arrives: both sides have verified each other by then.
        const once = async () => {
            const { socket } = await connectRatls({ port, identity: clientId, verifier: clientVerifier });
            await new Promise<void>((resolve, reject) => {
                socket.once('data', () => resolve());
                socket.once('close', () => reject(new Error('server closed before its first byte')));
            });
            socket.destroy();
        };
        for (const parallel of [1, 8]) rows.push(await measure(`handshake, cache ${cache ? 'on ' : 'off'}, ${parallel} in flight`, 3000, parallel, once));
        await server.close();
    }
    return rows;
}

async function verificationRows(): Promise<Row[]> {
    const fakeCert: RatlsIdentity = await generateIdentity({ provider: new FakeQuoteProvider() });
    const quote = new Uint8Array(readFileSync(join(FIXTURES, 'quote-c.dat')));
    const collateral = parseCollateral(readFileSync(join(FIXTURES, 'quote-c.collateral.json'), 'utf8'));
    const at = new Date('2025-07-01T00:00:00Z');
    const keys = await generateEd25519Keys();
    const claims = serializeClaims({ version: 1, publicKey: await rawPublicKey(keys.publicKey), issuedAt: at.getTime() / 1000, extra: {} });
    const tdxCert = await buildCertificate({ keys, notBefore: at, notAfter: new Date(at.getTime() + 86_400_000), quote, claims });
    const rows: Row[] = [];
    for (const cache of [false, true]) {
        const fakeVerifier = new PeerVerifier({ policy: fakePolicy('bench', () => [FAKE_IMAGE_HASH]), cache });
        rows.push(await measure(`verify fake cert, cache ${cache ? 'on ' : 'off'}`, 20_000, 1, async () => void (await fakeVerifier.verify(fakeCert.certDer))));
        const tdxVerifier = new PeerVerifier({
            policy: productionPolicy('bench', () => []),
            verifyTdxQuote: attestQuoteVerifier({ collateralFor: () => collateral }),
            cache,
            clock: () => new Date(at.getTime() + 3_600_000),
        });
        rows.push(await measure(`verify TDX cert + collateral, cache ${cache ? 'on ' : 'off'}`, 20_000, 1, async () => void (await tdxVerifier.verify(tdxCert.certDer))));
    }
    return rows;
}

async function main(): Promise<void> {
    const rows = [...(await handshakeRows()), ...(await verificationRows())];
    const pad = (s: string, n: number) => s.padEnd(n);
    console.log(`${pad('case', 44)}${pad('count', 8)}${pad('seconds', 10)}per second`);
    for (const r of rows) console.log(`${pad(r.name, 44)}${pad(String(r.n), 8)}${pad(r.seconds.toFixed(2), 10)}${Math.round(r.n / r.seconds)}`);
}

main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
});
