import type * as tls from 'tls';
import { connectRatls } from '../../offchain/ratls/client';
import { FAKE_IMAGE_HASH } from '../../offchain/ratls/fakeQuote';
import { generateIdentity, type RatlsIdentity } from '../../offchain/ratls/identity';
import { IdentityRotator } from '../../offchain/ratls/identityRotator';
import { PeerVerifier } from '../../offchain/ratls/peerVerifier';
import { fakePolicy } from '../../offchain/ratls/policy';
import { FakeQuoteProvider } from '../../offchain/ratls/providers';
import { RatlsServer } from '../../offchain/ratls/server';
import { logSink } from './helpers';

const fake = new FakeQuoteProvider();
const verifier = () => new PeerVerifier({ policy: fakePolicy('local', () => [FAKE_IMAGE_HASH]) });

function roundTrip(socket: tls.TLSSocket, text: string): Promise<string> {
    return new Promise((resolve) => {
        socket.once('data', (d) => resolve(d.toString()));
        socket.write(text);
    });
}

describe('certificate rotation', () => {
    it('new handshakes get the new certificate while an open connection keeps working', async () => {
        const rotator = await IdentityRotator.start({ generate: () => generateIdentity({ provider: fake }) });
        const sink = logSink();
        const clientsSeen: string[] = [];
        const server = new RatlsServer({
            identity: rotator,
            verifier: verifier(),
            log: sink.log,
            onConnection: ({ socket, peer }) => {
                clientsSeen.push(peer.fingerprint);
                socket.on('data', (d) => socket.write(d));
            },
        });
        const { port } = await server.listen();
        const clientId = await generateIdentity({ provider: fake });
        try {
            const before = rotator.current.fingerprint;
            const old = await connectRatls({ port, identity: clientId, verifier: verifier() });
            expect(old.peer.fingerprint).toBe(before);
            expect(await roundTrip(old.socket, 'one')).toBe('one');

            const next = await rotator.rotateNow();
            expect(next.fingerprint).not.toBe(before);
            const fresh = await connectRatls({ port, identity: clientId, verifier: verifier() });
            expect(fresh.peer.fingerprint).toBe(next.fingerprint);

            expect(await roundTrip(old.socket, 'two')).toBe('two');
            expect(await roundTrip(fresh.socket, 'three')).toBe('three');

            // A client given the rotator presents its current certificate.
            const own = await connectRatls({ port, identity: rotator, verifier: verifier() });
            expect(await roundTrip(own.socket, 'four')).toBe('four');
            expect(clientsSeen).toEqual([clientId.fingerprint, clientId.fingerprint, next.fingerprint]);
            expect(sink.lines).toEqual([]);
            for (const c of [old, fresh, own]) c.socket.destroy();
        } finally {
            rotator.stop();
            await server.close();
        }
    });

    it('rotates on its own before expiry, and keeps the old identity when generation fails', async () => {
        const made: RatlsIdentity[] = [];
        let failNext = false;
        const sink = logSink();
        const rotator = await IdentityRotator.start({
            generate: async () => {
                if (failNext) throw new Error('TSM busy');
                const id = await generateIdentity({ provider: fake, validitySeconds: 60 });
                made.push(id);
                return id;
            },
            rotateEveryMs: 3_600_000,
            expiryMarginMs: 59_950, // 60 s certificates, so the next rotation is due after 50 ms
            retryMs: 20,
            log: sink.log,
        });
        try {
            const rotated = await new Promise<RatlsIdentity>((resolve) => rotator.onRotate(resolve));
            expect(made).toHaveLength(2);
            expect(rotated).toBe(made[1]);
            expect(rotator.current).toBe(made[1]);
            failNext = true;
            await new Promise((r) => setTimeout(r, 150));
            expect(rotator.current).toBe(made[1]);
            expect(sink.lines.length).toBeGreaterThanOrEqual(1);
            expect(sink.lines[0]).toBe('RA-TLS: certificate rotation failed, retrying: TSM busy');
            failNext = false;
            await new Promise<RatlsIdentity>((resolve) => rotator.onRotate(resolve));
            expect(made.length).toBeGreaterThanOrEqual(3);
        } finally {
            rotator.stop();
        }
    });
});
