import { Address, toNano } from '@ton/core';
import { KeyPair } from '@ton/crypto';
import { createHash } from 'crypto';
import type { WebSocket } from 'ws';
import { ChainClient, TransactionWatcher, WalletSender, walletV4Adapter } from '../../offchain/chain';
import { decodeProxyInbound, devnetKey, readClientContract, type ProxyInbound } from '../../offchain/chain/cocoon';
import { requestFaucet } from '../../offchain/chain/faucet';
import {
    adjustUsage,
    bodyHash,
    clientPeerPolicy,
    listenProtocol,
    pricesOf,
    proxyClaims,
    ProtocolConnection,
    randomU64,
    signReceipt,
    type ClientLedger,
    type ClientQuery,
    type ClientToProxy,
    type Listener,
    type ProxyInfo,
    type ProxyToClient,
    type ProxyWelcomeClient,
    type Receipt,
    type Usage,
} from '../../offchain/protocol';
import { FakeQuoteProvider, generateIdentity, PeerVerifier } from '../../offchain/ratls';
import { clientAddress, proxyAddress, proxyStateInit } from '../../wrappers/addresses';
import type { CocoonParams } from '../../wrappers/params';
import { signEnvelope } from '../../wrappers/signing';

type Conn = ProtocolConnection<'client→proxy', ProxyToClient>;

export const USAGE: Usage = { promptTokens: 5, cachedTokens: 1, completionTokens: 2, reasoningTokens: 0 };
export const WORKER = '0:' + '77'.repeat(32);

/**
 * A stand-in for the proxy service (written in parallel): RA-TLS listener with a fake-TDX certificate binding a
 * payment key the test controls, a deployed proxy contract, the client handshake (short auth by on-chain secret
 * hash, long auth by watching its contract for register{nonce}), and canned answers with signed receipts.
 */
export class FakeProxy {
    /** Every message received, per connection, in order. */
    readonly received: ClientToProxy[][] = [];
    readonly connections: Conn[] = [];
    /** Rewrites the welcome before it is sent (mismatch tests). */
    welcomeHook?: (w: ProxyWelcomeClient) => ProxyWelcomeClient;
    /** Rewrites each receipt before it is sent (tamper tests). */
    receiptHook?: (r: Receipt) => Receipt;
    /** Queries for this model are held without an answer (drop tests). */
    holdModel = 'hold';
    total = 0n;
    private constructor(
        readonly key: KeyPair,
        readonly info: ProxyInfo,
        readonly params: CocoonParams,
        private readonly chain: ChainClient,
        private listener?: Listener,
    ) {}

    get port(): number {
        return this.listener!.port;
    }

    get endpoint(): string {
        return `127.0.0.1:${this.port}`;
    }

    get contract(): Address {
        return Address.parse(this.info.contract);
    }

    static async start(chain: ChainClient, faucetUrl: string, root: Address, params: CocoonParams, name = 'fake-proxy'): Promise<FakeProxy> {
        const key = devnetKey(name);
        const owner = walletV4Adapter(devnetKey(`${name}-owner`));
        const contract = proxyAddress({ owner: owner.address, proxyPublicKey: key.publicKey, root, params });
        if ((await chain.getAccount(contract)).state !== 'active') {
            await requestFaucet(faucetUrl, owner.address, toNano('10'));
            const init = proxyStateInit({ owner: owner.address, proxyPublicKey: key.publicKey, root, params });
            const o = await new WalletSender(chain, owner, { pollMs: 20 }).send({ to: contract, value: toNano('2'), init, bounce: false });
            if (o.status !== 'delivered') throw new Error(`proxy contract deployment ${o.status}`);
        }
        const info: ProxyInfo = {
            publicKey: key.publicKey.toString('hex'),
            owner: owner.address.toRawString(),
            contract: contract.toRawString(),
            root: root.toRawString(),
            rootVersion: 0,
            paramsVersion: params.paramsVersion,
        };
        const proxy = new FakeProxy(key, info, params, chain);
        const identity = await generateIdentity({ provider: new FakeQuoteProvider(), extra: proxyClaims({ paymentKey: key.publicKey, owner: owner.address, root }) });
        proxy.listener = await listenProtocol({
            port: 0,
            identity,
            verifier: new PeerVerifier({ policy: clientPeerPolicy() }),
            log: () => undefined,
            onConnection: (ws) => proxy.accept(ws),
        });
        return proxy;
    }

    /** Sends `proxy.payment` on the newest connection. */
    pushLedger(ledger: Partial<ClientLedger>): void {
        this.connections.at(-1)!.send({ type: 'proxy.payment', ledger: { ...this.ledger(), ...ledger } });
    }

    /** A signed charge for `tokens`, for `address` (default: the client contract of `owner`). */
    charge(tokens: bigint, address: Address, key = this.key): string {
        return signEnvelope({ kind: 'charge', queryId: randomU64(), newTokens: tokens, expectedMyAddress: address }, key.secretKey, this.contract).toBoc().toString('base64');
    }

    clientContractOf(owner: Address): Address {
        return clientAddress({ owner, proxyAddress: this.contract, proxyPublicKey: this.key.publicKey, params: this.params });
    }

    dropAll(): void {
        for (const c of this.connections) c.ws.terminate();
    }

    async stop(): Promise<void> {
        this.dropAll();
        await this.listener?.close();
    }

    private ledger(): ClientLedger {
        const t = this.total.toString();
        return { tokensMax: t, committedDb: t, committedChain: t, chargedOnChain: '0', reserved: '0', available: '1000', signedCharge: null };
    }

    private accept(ws: WebSocket): void {
        const conn: Conn = new ProtocolConnection(ws, { inbound: 'client→proxy', label: 'fake proxy', log: () => undefined });
        const log: ClientToProxy[] = [];
        this.received.push(log);
        this.connections.push(conn);
        void this.serve(conn, log).catch(() => conn.close());
    }

    private async serve(conn: Conn, log: ClientToProxy[]): Promise<void> {
        const hello = await conn.next('client.hello', 10_000);
        log.push(hello);
        const owner = Address.parse(hello.owner);
        const clientContract = this.clientContractOf(owner);
        const account = await this.chain.getAccount(clientContract);
        const secretHash = account.state === 'active' ? (await readClientContract(this.chain, clientContract)).secretHash : 0n;
        const nonce = randomU64();
        let welcome: ProxyWelcomeClient = {
            type: 'proxy.welcome',
            version: 1,
            proxy: this.info,
            clientContract: clientContract.toRawString(),
            auth: secretHash !== 0n ? { kind: 'short', secretHash: secretHash.toString(16).padStart(64, '0'), nonce: nonce.toString() } : { kind: 'long', nonce: nonce.toString() },
        };
        if (this.welcomeHook) welcome = this.welcomeHook(welcome);
        const since = (await this.chain.getAccount(this.contract)).last?.lt;
        conn.send(welcome);
        const auth = await conn.next('client.auth', 10_000);
        log.push(auth);
        if (auth.kind === 'short') {
            if (BigInt('0x' + createHash('sha256').update(auth.secret).digest('hex')) !== secretHash) return conn.fail('auth_failed', 'wrong secret');
        } else {
            await this.awaitRegister(clientContract, nonce, since);
        }
        conn.onMessage((m) => {
            log.push(m);
            if (m.type === 'client.query') this.answer(conn, m, clientContract);
            if (m.type === 'models') {
                conn.send({
                    type: 'models.list',
                    models: [{ name: 'test-model', workers: [{ coefficient: 1500, activeRequests: 0, maxActiveRequests: 8 }] }],
                    pricePerToken: this.params.pricePerToken.toString(),
                    workerFeePerToken: this.params.workerFeePerToken.toString(),
                });
            }
        });
        conn.send({ type: 'proxy.authorized', ledger: this.ledger() });
    }

    private async awaitRegister(clientContract: Address, nonce: bigint, since: bigint | undefined): Promise<void> {
        const watcher = new TransactionWatcher<ProxyInbound>(this.chain, this.contract, { sinceLt: since, decode: decodeProxyInbound });
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
            for (const t of await watcher.poll()) {
                const d = t.decoded;
                if (d?.kind === 'clientRequest' && t.from?.equals(clientContract) && d.request.payload?.kind === 'register' && d.request.payload.nonce === nonce) return;
            }
            await new Promise((r) => setTimeout(r, 50));
        }
        throw new Error('no register seen');
    }

    private answer(conn: Conn, q: ClientQuery, clientContract: Address): void {
        if (q.model === this.holdModel) return;
        const body = JSON.parse(q.body) as { stream?: boolean };
        const parts = answerParts(q.path, q.model, body.stream === true);
        conn.send({ type: 'answer.head', requestId: q.requestId, status: 200, headers: { 'content-type': body.stream ? 'text/event-stream' : 'application/json' } });
        for (const data of parts) conn.send({ type: 'answer.part', requestId: q.requestId, data });
        const tokens = adjustUsage(USAGE, 1000, pricesOf(this.params));
        this.total += BigInt(tokens.total);
        let receipt = signReceipt(
            {
                requestId: q.requestId,
                proxyContract: this.info.contract,
                clientContract: clientContract.toRawString(),
                workerContract: WORKER,
                requestHash: bodyHash(q.body),
                responseHash: bodyHash(parts.join('')),
                coefficient: 1000,
                tokens,
                pricePerToken: this.params.pricePerToken.toString(),
                cost: (BigInt(tokens.total) * this.params.pricePerToken).toString(),
                clientTotal: this.total.toString(),
                at: Math.floor(Date.now() / 1000),
            },
            this.key.secretKey,
        );
        if (this.receiptHook) receipt = this.receiptHook(receipt);
        conn.send({ type: 'answer.end', requestId: q.requestId, usage: USAGE, tokens, receipt });
    }
}

const usageJson = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 } };

/** The body of a canned answer: "Hello world", as SSE chunks or one JSON object, chat or completions shaped. */
export function answerParts(path: string, model: string, stream: boolean): string[] {
    const chat = path === '/v1/chat/completions';
    if (!stream) {
        const choice = chat
            ? { index: 0, message: { role: 'assistant', content: 'Hello world' }, finish_reason: 'stop', logprobs: null }
            : { index: 0, text: 'Hello world', finish_reason: 'stop', logprobs: null };
        return [JSON.stringify({ id: 'cmpl-1', object: chat ? 'chat.completion' : 'text_completion', created: 0, model, choices: [choice], usage: usageJson })];
    }
    const chunk = (text: string, finish: string | null) =>
        `data: ${JSON.stringify({
            id: 'cmpl-1',
            object: chat ? 'chat.completion.chunk' : 'text_completion',
            created: 0,
            model,
            choices: [chat ? { index: 0, delta: { content: text }, finish_reason: finish } : { index: 0, text, finish_reason: finish }],
        })}\n\n`;
    return [chunk('Hello', null), chunk(' world', 'stop'), `data: ${JSON.stringify({ id: 'cmpl-1', object: 'chat.completion.chunk', created: 0, model, choices: [], usage: usageJson })}\n\n`, 'data: [DONE]\n\n'];
}
