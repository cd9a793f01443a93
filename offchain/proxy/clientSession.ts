import { Address } from '@ton/core';
import { createHash } from 'crypto';
import type { WebSocket } from 'ws';
import { readClientContract } from '../chain';
import { negotiateVersion, ProtocolConnection, ProtocolError, randomU64, type ProxyToClient, type ProxyWelcomeClient } from '../protocol';
import { clientAddress } from '../../wrappers/addresses';
import type { ClientAccount } from './accounts';
import type { OpenConnection, ProxyContext } from './context';
import type { ContractWatch } from './contractWatch';
import { clientPayment } from './payments';
import type { ClientPeer, Router } from './router';
import type { WorkerPool } from './workerPool';
import { HANDSHAKE_STEP_MS } from './workerSession';

/** Long auth waits this long for the client's registration on-chain (COCOON: 300 s). */
export const LONG_AUTH_MS = 300_000;

export interface ClientSessionDeps {
    ctx: ProxyContext;
    pool: WorkerPool;
    router: Router;
    watch: ContractWatch;
    /** Connections open, for stop(). */
    open: Set<OpenConnection>;
    /** Authorized clients, for status. */
    peers: Set<ClientPeer>;
    onChange: () => void;
}

const hex256 = (n: bigint) => n.toString(16).padStart(64, '0');

/** Reads the client contract into the account; false when it is not deployed yet. */
async function refreshSnapshot(ctx: ProxyContext, a: ClientAccount): Promise<boolean> {
    const account = await ctx.chain.getAccount(a.contract);
    if (account.state !== 'active') return false;
    const s = await readClientContract(ctx.chain, a.contract);
    const before = a.snapshot?.tokensUsed ?? 0n;
    a.snapshot = { state: s.state, balance: s.balance, stake: s.stake, tokensUsed: s.tokensUsed > before ? s.tokensUsed : before, secretHash: s.secretHash };
    a.dirty = true;
    return true;
}

/**
 * One client connection: hello → welcome with the derived client contract and an auth challenge (short when the
 * contract holds a secret hash, else long) → client.auth → authorized → queries. The whole auth step may take the
 * long auth's 5 minutes (a client that falls back to long auth deploys or registers on-chain first).
 */
export async function runClientSession(d: ClientSessionDeps, ws: WebSocket, remote: string): Promise<void> {
    const { ctx } = d;
    const conn = new ProtocolConnection<'client→proxy', ProxyToClient>(ws, {
        inbound: 'client→proxy',
        label: `client@${remote}`,
        log: (line) => ctx.log.info(line),
    });
    d.open.add(conn);
    conn.onClose(() => d.open.delete(conn));
    let account: ClientAccount;
    let issued: { contract: Address; nonce: bigint } | undefined;
    try {
        if (ctx.refusal) throw new ProtocolError(ctx.refusal.code, ctx.refusal.reason);
        const hello = await conn.next('client.hello', HANDSHAKE_STEP_MS);
        const version = negotiateVersion(hello.protocol);
        const owner = Address.parse(hello.owner);
        const contract = clientAddress({ owner, proxyAddress: ctx.contract, proxyPublicKey: ctx.key.publicKey, params: ctx.params });
        account = ctx.ledger.client(contract, owner);
        const deployed = await refreshSnapshot(ctx, account);
        const secretHash = deployed ? (account.snapshot?.secretHash ?? 0n) : 0n;
        const nonce = randomU64();
        issued = { contract, nonce };
        d.watch.expectRegistration(contract, nonce);
        const auth: ProxyWelcomeClient['auth'] =
            secretHash !== 0n ? { kind: 'short', secretHash: hex256(secretHash), nonce: nonce.toString() } : { kind: 'long', nonce: nonce.toString() };
        conn.send({ type: 'proxy.welcome', version, proxy: ctx.info, clientContract: contract.toRawString(), auth });
        const answer = await conn.next('client.auth', LONG_AUTH_MS);
        if (answer.kind === 'short') {
            const given = BigInt('0x' + createHash('sha256').update(answer.secret, 'utf8').digest('hex'));
            if (secretHash === 0n || given !== secretHash) {
                throw new ProtocolError('auth_failed', "the secret does not match the client contract's secret hash");
            }
        } else {
            try {
                await d.watch.registration(contract, nonce, LONG_AUTH_MS);
            } catch (e) {
                throw new ProtocolError('auth_failed', (e as Error).message);
            }
            await refreshSnapshot(ctx, account);
        }
        d.watch.forgetRegistration(contract, nonce);
        conn.send({ type: 'proxy.authorized', ledger: clientPayment(ctx, account).ledger });
    } catch (e) {
        if (issued) d.watch.forgetRegistration(issued.contract, issued.nonce);
        const code = e instanceof ProtocolError ? e.code : 'internal';
        if (conn.isOpen) conn.fail(code, (e as Error).message);
        else ctx.log.info('client handshake ended', { remote, error: e });
        return;
    }
    const peer: ClientPeer = { conn, account, flights: new Map() };
    d.peers.add(peer);
    d.onChange();
    ctx.log.info('client authorized', { client: account.key, remote });
    for (const receipt of ctx.ledger.lateReceipts(account.key)) conn.send({ type: 'answer.receipt', requestId: receipt.requestId, receipt });
    conn.onClose(() => {
        d.peers.delete(peer);
        d.router.clientGone(peer);
        d.onChange();
    });
    conn.onMessage((m) => {
        switch (m.type) {
            case 'client.query':
                return d.router.query(peer, m);
            case 'cancel':
                return d.router.cancel(peer, m.requestId);
            case 'payment.status':
                conn.send(clientPayment(ctx, account));
                return;
            case 'receipt.ack':
                ctx.ledger.dropLateReceipt(account.key, m.requestId);
                return;
            case 'models':
                conn.send({
                    type: 'models.list',
                    models: d.pool.models(),
                    pricePerToken: ctx.prices.pricePerToken.toString(),
                    workerFeePerToken: ctx.prices.workerFeePerToken.toString(),
                });
                return;
            case 'error':
                ctx.log.warn('client reported an error', { client: account.key, code: m.code, message: m.message });
                conn.close(1000, m.code);
                return;
            default:
                conn.fail('bad_message', `${m.type} is not expected after the handshake`);
        }
    });
}
