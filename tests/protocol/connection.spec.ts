import type { WebSocket } from 'ws';
import {
    dialProtocol,
    listenProtocol,
    MAX_MESSAGE_BYTES,
    ProtocolConnection,
    ProtocolError,
    type ClientToProxy,
    type Listener,
    type ProxyToClient,
} from '../../offchain/protocol';
import { FakeQuoteProvider, fakePolicy, generateIdentity, PeerVerifier, type RatlsIdentity } from '../../offchain/ratls';

const owner = `0:${'a'.repeat(64)}`;
const hello: ClientToProxy = { type: 'client.hello', protocol: { min: 1, max: 1 }, owner };

describe('ProtocolConnection over RA-TLS', () => {
    let serverId: RatlsIdentity;
    let clientId: RatlsIdentity;
    let listener: Listener;
    let accepted: ProtocolConnection<'client→proxy', ProxyToClient>[];
    const logs: string[] = [];
    const verifier = () => new PeerVerifier({ policy: fakePolicy('test') });

    beforeAll(async () => {
        serverId = await generateIdentity({ provider: new FakeQuoteProvider() });
        clientId = await generateIdentity({ provider: new FakeQuoteProvider() });
        listener = await listenProtocol({
            port: 0,
            identity: serverId,
            verifier: verifier(),
            log: (l) => logs.push(l),
            onConnection: (ws, _peer, remote) => {
                accepted.push(new ProtocolConnection(ws, { inbound: 'client→proxy', label: `client ${remote}`, log: (l) => logs.push(l), pingMs: 200 }));
            },
        });
    });
    beforeEach(() => {
        accepted = [];
        logs.length = 0;
    });
    afterAll(() => listener.close());

    async function dial(pingMs = 200) {
        const { ws, peer } = await dialProtocol({ host: '127.0.0.1', port: listener.port, identity: clientId, verifier: verifier(), log: () => {} });
        expect(peer.ok).toBe(true);
        const conn = new ProtocolConnection<'proxy→client', ClientToProxy>(ws, { inbound: 'proxy→client', label: 'proxy', log: (l) => logs.push(l), pingMs });
        await waitFor(() => accepted.length === 1);
        return { ws, conn, server: accepted[0] };
    }

    it('delivers a valid message to the waiting side', async () => {
        const { conn, server } = await dial();
        const got = server.next('client.hello', 1000);
        expect(conn.send(hello)).toBe(true);
        expect(await got).toEqual(hello);
        conn.close();
    });

    it('closes a connection whose message fails its schema with bad_message, naming the field', async () => {
        const { ws, conn, server } = await dial();
        const errors: unknown[] = [];
        conn.onMessage((m) => errors.push(m));
        const closed = new Promise<number>((r) => conn.onClose((i) => r(i.code)));
        ws.send(JSON.stringify({ ...hello, owner: 'not an address' }));
        expect(await closed).toBe(1008);
        expect(errors).toEqual([{ type: 'error', code: 'bad_message', message: 'client.hello: /owner must match pattern "^-?[0-9]{1,3}:[0-9a-f]{64}$"' }]);
        expect(server.isOpen).toBe(false);
        expect(logs.some((l) => l.includes('closing: bad_message: client.hello: /owner must match pattern'))).toBe(true);
    });

    it.each([
        ['an unknown field', { ...hello, extra: 1 }, 'client.hello: / must NOT have additional properties (extra)'],
        ['a type of another direction', { type: 'proxy.authorized', ledger: {} }, '"proxy.authorized" is not a client→proxy message'],
        ['no type', { owner }, 'a message needs a string "type"'],
    ])('rejects %s', async (_what, message, reason) => {
        const { ws, conn } = await dial();
        const errors: unknown[] = [];
        conn.onMessage((m) => errors.push(m));
        const closed = new Promise<void>((r) => conn.onClose(() => r()));
        ws.send(JSON.stringify(message));
        await closed;
        expect(errors).toEqual([{ type: 'error', code: 'bad_message', message: reason }]);
    });

    it('rejects text that is not JSON and binary frames', async () => {
        for (const [frame, reason] of [
            ['{nope', 'not JSON: '],
            [Buffer.from([1, 2, 3]), 'binary frames are not part of the protocol'],
        ] as const) {
            accepted = [];
            const { ws, conn } = await dial();
            const errors: { message: string }[] = [];
            conn.onMessage((m) => errors.push(m as { message: string }));
            const closed = new Promise<void>((r) => conn.onClose(() => r()));
            ws.send(frame);
            await closed;
            expect(errors[0].message.startsWith(reason)).toBe(true);
        }
    });

    it('closes a connection that sends an oversized frame (1009) and keeps serving others', async () => {
        const { ws, conn } = await dial();
        const closed = new Promise<number>((r) => conn.onClose((i) => r(i.code)));
        ws.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
        expect(await closed).toBe(1009);
        accepted = [];
        const again = await dial();
        const got = again.server.next('client.hello', 1000);
        again.conn.send(hello);
        expect((await got).type).toBe('client.hello');
        again.conn.close();
    });

    it('rejects next() on timeout, on an error message from the peer, and on close', async () => {
        const { conn, server } = await dial();
        await expect(server.next('client.hello', 50)).rejects.toThrow('client 127.0.0.1');
        const refused = conn.next('proxy.welcome', 1000);
        server.fail('auth_failed', 'secret does not match');
        await expect(refused).rejects.toThrow('proxy: peer refused: secret does not match');
        await expect(refused).rejects.toBeInstanceOf(ProtocolError);
        await expect(conn.next('proxy.welcome', 1000)).rejects.toThrow('connection closed');
    });

    it('drops a peer that stops answering pings', async () => {
        const { ws, server } = await dial(60_000);
        const closed = new Promise<void>((r) => server.onClose(() => r()));
        // the dialing side stops answering pings: its socket is paused, so pongs never go out
        (ws as WebSocket & { _socket: { pause(): void } })._socket.pause();
        await closed;
        expect(logs.some((l) => /peer did not answer a ping within 200 ms, dropping it/.test(l))).toBe(true);
    });
});

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > end) throw new Error('condition not met in time');
        await new Promise((r) => setTimeout(r, 10));
    }
}
