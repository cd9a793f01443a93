import { Address, toNano } from '@ton/core';
import { createHash } from 'crypto';
import type {
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionCreateParamsNonStreaming,
    ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type { Completion, CompletionCreateParamsNonStreaming, CompletionCreateParamsStreaming } from 'openai/resources/completions';
import type { Registry } from 'prom-client';
import { ChainClient } from '../chain';
import { Outbox } from '../chain/outbox';
import { cocoonWalletAdapter, keyFromSeedHex, RegistryReader } from '../chain/cocoon';
import {
    bodyHash,
    COEFFICIENT_ONE,
    newRequestId,
    ReceiptError,
    Reconnector,
    rootPolicy,
    verifyReceipt,
    type AdjustedTokens,
    type ClientAnswerError,
    type Path,
    type Receipt,
    type Usage,
} from '../protocol';
import { createQuoteProvider, generateIdentity, PeerVerifier, type RatlsIdentity } from '../ratls';
import { createLogger, createMetrics, withoutFlush, type BalanceRow, type Logger, type Metrics } from '../runtime';
import { parseDescriptorText } from '../../wrappers/descriptor';
import { resolveClientConfig, type ResolvedClientConfig } from './config';
import {
    apiError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    APIUserAbortError,
    BadRequestError,
    ProxyRefusedError,
} from './errors';
import { Payments, type ChainActionResult } from './payments';
import { keepLateReceipt } from './lateReceipts';
import { ProxySession, type AttestationReport, type SessionContext } from './session';
import { ProxyScoreboard } from './proxyFigures';
import { DepositRecovery } from './recovery';
import { ClientStore } from './store';
import { PartQueue, Stream } from './stream';

/** Fields the client reads and removes before forwarding (COCOON's client-only fields). */
export interface CocoonRequestFields {
    /** Highest worker coefficient accepted, 1000 = ×1 (default 4000). */
    max_coefficient?: number;
    /** Seconds before the client cancels the request (default 120). */
    timeout?: number;
}

export interface RequestOptions {
    signal?: AbortSignal;
}

/** The low-level answer the HTTP server pipes: resolved at the answer's head. */
export interface RawResponse {
    requestId: string;
    status: number;
    headers: Record<string, string>;
    /** The body as the proxy forwards it (SSE text for streams). */
    parts: AsyncIterable<string>;
    /** Resolves once the answer ended and its receipt verified and stored; rejects on a failure after the head. */
    done: Promise<RequestOutcome>;
    /** Milliseconds from sending the query to the head. */
    timeToHeadMs: number;
}

export interface RequestOutcome {
    usage: Usage;
    tokens: AdjustedTokens;
    receipt: Receipt;
    durationMs: number;
}

export interface ClientDeps {
    /** Where JSON log lines go (default stderr). */
    logSink?: (line: string) => void;
    chain?: ChainClient;
    /** The client's RA-TLS certificate (default: a fresh one from `tdx.provider`). */
    identity?: RatlsIdentity;
}

/** A completion object with the request id and verified receipt attached, not enumerable (as openai's `_request_id`). */
export type WithReceipt<T> = T & { readonly _request_id: string; readonly _receipt: Receipt };

const DEFAULT_MAX_COEFFICIENT = 4000;
const DEFAULT_TIMEOUT_S = 120;
const DEFAULT_MAX_TOKENS = 1000;
/** How long a request waits for a (re)connection before failing with APIConnectionError. */
const CONNECT_WAIT_MS = 5000;
const MODELS_TIMEOUT_MS = 10_000;
/** The client's per-proxy figures cover the last hour. */
const PROXY_WINDOW_MS = 3_600_000;
/** Receipts, outbox messages and settlements the status shows. */
const STATUS_ITEMS = 10;
/** The client's own on-chain money moves: charges it sends itself, top-ups, withdrawals and refunds. */
const SETTLEMENT_INTENTS = ['charge:', 'topup:', 'withdraw:', 'refund:'];

interface Prepared {
    text: string;
    model: string;
    maxCoefficient: number;
    maxTokens: number;
    timeoutMs: number;
    stream: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function positiveInteger(body: Record<string, unknown>, field: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = body[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
        throw new BadRequestError(400, `${field} must be a positive integer${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}`, 'invalid_value', field);
    }
    return v;
}

/** Checks the OpenAI body, takes out the client-only fields and fixes the text the receipt's request hash covers. */
export function prepareRequest(path: Path, bodyText: string): Prepared {
    let body: unknown;
    try {
        body = JSON.parse(bodyText);
    } catch {
        throw new BadRequestError(400, 'request body is not valid JSON', 'invalid_json');
    }
    if (!isObject(body)) throw new BadRequestError(400, 'request body must be a JSON object', 'invalid_json');
    if (typeof body.model !== 'string' || body.model === '') throw new BadRequestError(400, 'model must be a non-empty string', 'invalid_value', 'model');
    if (path === '/v1/chat/completions' && !Array.isArray(body.messages)) {
        throw new BadRequestError(400, 'messages must be an array', 'invalid_value', 'messages');
    }
    if (path === '/v1/completions' && body.prompt === undefined) throw new BadRequestError(400, 'prompt is required', 'invalid_value', 'prompt');
    if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
        throw new BadRequestError(400, 'stream must be a boolean', 'invalid_value', 'stream');
    }
    const maxCoefficient = positiveInteger(body, 'max_coefficient', 0xffffffff) ?? DEFAULT_MAX_COEFFICIENT;
    const timeout = body.timeout ?? DEFAULT_TIMEOUT_S;
    if (typeof timeout !== 'number' || !(timeout > 0) || timeout > 86_400) {
        throw new BadRequestError(400, 'timeout must be a number of seconds (0, 86400]', 'invalid_value', 'timeout');
    }
    const maxCompletion = positiveInteger(body, 'max_completion_tokens');
    const maxTokens = maxCompletion ?? positiveInteger(body, 'max_tokens') ?? DEFAULT_MAX_TOKENS;
    delete body.max_coefficient;
    delete body.timeout;
    // the engine would take the smaller of both; the reservation follows max_completion_tokens, so only it is sent
    if (maxCompletion !== undefined) delete body.max_tokens;
    return { text: JSON.stringify(body), model: body.model, maxCoefficient, maxTokens, timeoutMs: Math.round(timeout * 1000), stream: body.stream === true };
}

/**
 * The COCOON client as a library: connects to a proxy of the root (verified by RA-TLS against the root's proxy
 * image hashes, bound to its payment key and contracts), authenticates, pays, and offers OpenAI's API shapes over
 * it. Every instance owns its connection, wallet outbox and database; many can run in one process.
 */
export class InferenceClient {
    readonly chat = {
        completions: {
            create: ((params: ChatCompletionCreateParamsNonStreaming | ChatCompletionCreateParamsStreaming, options?: RequestOptions) =>
                this.create('/v1/chat/completions', params, options)) as {
                (params: ChatCompletionCreateParamsNonStreaming & CocoonRequestFields, options?: RequestOptions): Promise<WithReceipt<ChatCompletion>>;
                (params: ChatCompletionCreateParamsStreaming & CocoonRequestFields, options?: RequestOptions): Promise<Stream<ChatCompletionChunk>>;
            },
        },
    };

    readonly completions = {
        create: ((params: CompletionCreateParamsNonStreaming | CompletionCreateParamsStreaming, options?: RequestOptions) =>
            this.create('/v1/completions', params, options)) as {
            (params: CompletionCreateParamsNonStreaming & CocoonRequestFields, options?: RequestOptions): Promise<WithReceipt<Completion>>;
            (params: CompletionCreateParamsStreaming & CocoonRequestFields, options?: RequestOptions): Promise<Stream<Completion>>;
        },
    };

    readonly models = { list: () => this.listModels() };

    readonly metrics: Registry;
    private readonly counters: ReturnType<InferenceClient['makeCounters']>;
    private session?: ProxySession;
    private readonly sessionWaiters = new Set<() => void>();
    private reconnector?: Reconnector;
    /** What this client saw of each proxy: the order in which it tries them. */
    private readonly scoreboard: ProxyScoreboard;
    /** Gets deposits back from proxies that disappeared. */
    private recovery?: DepositRecovery;
    private stopping = false;
    private sessions = 0;

    private constructor(
        readonly config: ResolvedClientConfig,
        readonly wallet: Address,
        readonly logger: Logger,
        private readonly store: ClientStore,
        private readonly outbox: Outbox,
        private readonly registry: RegistryReader,
        private readonly payments: Payments,
        private readonly sessionContext: SessionContext,
        metrics: Metrics,
    ) {
        this.metrics = metrics.registry;
        this.counters = this.makeCounters(metrics);
        this.scoreboard = new ProxyScoreboard(store.db, PROXY_WINDOW_MS);
    }

    /**
     * Validates the config, opens the database and outbox, and connects to a proxy (random among the configured or
     * registered ones, the next on failure). Resolves once a proxy is verified and has authorized this client;
     * rejects with ProxyRefusedError naming the failed check otherwise (or ConfigError for a bad config).
     */
    static async start(config: unknown, deps: ClientDeps = {}): Promise<InferenceClient> {
        const cfg = resolveClientConfig(config);
        const log = createLogger({ component: 'client', level: cfg.log?.level ?? 'info', sink: deps.logSink });
        const chain = deps.chain ?? new ChainClient({ endpoints: cfg.chain.endpoints });
        const wallet = await cocoonWalletAdapter(keyFromSeedHex(cfg.wallet.seed, 'wallet seed'), Address.parse(cfg.wallet.owner));
        const identity = deps.identity ?? (await generateIdentity({ provider: createQuoteProvider(cfg.tdx.provider) }));
        const store = new ClientStore(cfg.database);
        const outbox = new Outbox({ db: store.db, chain, wallet, pollMs: cfg.chain.pollMs, log: (l) => log.info(l), alert: (l) => log.error(l) });
        const registry = new RegistryReader(chain, Address.parse(cfg.root));
        const secretHash = createHash('sha256').update(cfg.secret, 'utf8').digest('hex');
        const payments = new Payments({
            chain,
            outbox,
            wallet: wallet.address,
            store,
            log: log.child({ part: 'payments' }),
            secretHash: BigInt('0x' + secretHash),
            initialDeposit: toNano(cfg.deposit.initialTon),
            topUpAmount: toNano(cfg.deposit.topUpTon),
            thresholds: cfg.thresholds,
        });
        const context: SessionContext = {
            registry,
            identity,
            verifier: new PeerVerifier({ policy: rootPolicy('proxy', registry, cfg.tdx.peerProvider) }),
            wallet: wallet.address,
            secret: cfg.secret,
            secretHashHex: secretHash,
            payments,
            outbox,
            authTimeoutMs: cfg.authTimeoutSeconds * 1000,
            lateReceipt: (receipt, session) => {
                const refused = keepLateReceipt(store, receipt, session.proxy, session.clientContract.toRawString());
                if (refused) log.error('late receipt rejected', { requestId: receipt.requestId, reason: refused });
                else log.info('late receipt kept', { requestId: receipt.requestId, tokens: receipt.tokens.total, clientTotal: receipt.clientTotal });
                return refused === null;
            },
            log,
        };
        const client = new InferenceClient(cfg, wallet.address, log, store, outbox, registry, payments, context, createMetrics('cocoon_client'));
        try {
            outbox.start();
            client.attach(await client.connectAny());
        } catch (e) {
            await client.stop();
            throw e;
        }
        client.reconnector = new Reconnector({ session: () => client.runSession(), log: (l) => log.info(l), label: 'client' });
        client.reconnector.start();
        client.recovery = new DepositRecovery({
            chain,
            outbox,
            store,
            wallet: wallet.address,
            log: log.child({ part: 'recovery' }),
            lostAfterMs: cfg.recovery.lostAfterSeconds * 1000,
            connectedTo: () => (client.session?.isOpen ? client.session.clientContract.toRawString() : null),
        });
        client.recovery.start();
        log.info('client started', { wallet: wallet.address.toString(), proxy: client.session?.endpoint });
        return client;
    }

    /**
     * Sends one OpenAI request (body text as received) and resolves at the answer's head. Rejects with the typed
     * error of an `answer.error` that comes before the head, BadRequestError for a bad body, APIConnectionError
     * without a connection, APITimeoutError / APIUserAbortError when cancelled.
     */
    async request(path: Path, bodyText: string, options: RequestOptions = {}): Promise<RawResponse> {
        const p = prepareRequest(path, bodyText);
        const session = await this.connected();
        const requestId = newRequestId();
        const log = this.logger.child({ requestId });
        const sentAt = Date.now();
        return new Promise<RawResponse>((resolveHead, rejectHead) => {
            const parts = new PartQueue();
            const chunks: string[] = [];
            let headSeen = false;
            let finished = false;
            let resolveDone!: (o: RequestOutcome) => void;
            let rejectDone!: (e: Error) => void;
            const done = new Promise<RequestOutcome>((resolve, reject) => ((resolveDone = resolve), (rejectDone = reject)));
            // a caller that only reads the head must not crash the process with an unhandled rejection
            done.catch(() => undefined);
            let headAt: number | null = null;
            const finish = (outcome: string) => {
                finished = true;
                clearTimeout(timer);
                options.signal?.removeEventListener('abort', onAbort);
                this.counters.requests.inc({ path, outcome });
                this.scoreboard.request(session.endpoint, outcome, headAt === null ? null : headAt - sentAt);
            };
            const fail = (error: APIError, cancel: boolean) => {
                if (finished) return;
                finish(error.code ?? 'error');
                session.forget(requestId, cancel);
                if (!headSeen) rejectHead(error);
                parts.fail(error);
                rejectDone(error);
            };
            const timer = setTimeout(() => fail(new APITimeoutError(`request timed out after ${p.timeoutMs} ms`, requestId), true), p.timeoutMs);
            const onAbort = () => fail(new APIUserAbortError('request was aborted', requestId), true);
            if (options.signal?.aborted) return onAbort();
            options.signal?.addEventListener('abort', onAbort, { once: true });
            const verified = (receipt: Receipt, tokens: AdjustedTokens): void => {
                verifyReceipt(receipt, {
                    publicKey: Buffer.from(session.proxy.publicKey, 'hex'),
                    requestId,
                    proxyContract: session.proxy.contract,
                    clientContract: session.clientContract.toRawString(),
                    requestHash: bodyHash(p.text),
                    responseHash: bodyHash(chunks.join('')),
                    tokens,
                });
                this.store.addReceipt({ requestId, path, model: p.model, receipt });
            };
            // recorded first: a receipt that comes without its answer (after a crash) is checked against it
            this.store.addPending({ requestId, clientContract: session.clientContract.toRawString(), path, model: p.model, requestHash: bodyHash(p.text) });
            const sent = session.query(
                { requestId, model: p.model, path, body: p.text, maxCoefficient: p.maxCoefficient, maxTokens: p.maxTokens, timeoutMs: p.timeoutMs },
                {
                    head: (m) => {
                        if (headSeen || finished) return;
                        headSeen = true;
                        headAt = Date.now();
                        resolveHead({ requestId, status: m.status, headers: m.headers, parts, done, timeToHeadMs: Date.now() - sentAt });
                    },
                    part: (data) => {
                        if (finished) return;
                        chunks.push(data);
                        parts.push(data);
                    },
                    end: (m) => {
                        if (finished) return;
                        if (!headSeen) return fail(apiError(502, 'proxy ended the answer before its head', 'bad_message', null, requestId), false);
                        try {
                            // the receipt and the proxy's sample in one commit
                            withoutFlush(this.store.db, () => {
                                verified(m.receipt, m.tokens);
                                finish('ok');
                            });
                        } catch (e) {
                            if (!(e instanceof ReceiptError)) throw e;
                            this.counters.badReceipts.inc();
                            log.error('receipt rejected: the proxy claims payment for something else', { error: e, receipt: m.receipt });
                            return fail(apiError(502, `receipt rejected: ${e.message}`, 'bad_receipt', null, requestId), false);
                        }
                        parts.end();
                        resolveDone({ usage: m.usage, tokens: m.tokens, receipt: m.receipt, durationMs: Date.now() - sentAt });
                    },
                    error: (m) => {
                        if (m.receipt && m.tokens) this.keepFailureReceipt(m, verified, log);
                        else this.store.dropPending(requestId); // not charged
                        fail(apiError(m.status, m.message, m.code, null, requestId), false);
                    },
                    closed: () => fail(new APIConnectionError('connection to the proxy was lost', requestId), false),
                },
            );
            if (!sent) {
                this.store.dropPending(requestId);
                fail(new APIConnectionError('connection to the proxy is closed', requestId), false);
            }
        });
    }

    /** The verified proxy's RA-TLS report and how it matched the root's registry, step by step. */
    attestation(): AttestationReport {
        if (!this.session) throw new APIConnectionError('not connected to a proxy');
        return this.session.attestation;
    }

    /** Verified receipts in the order they came (`limit`: the newest n), or the one of `requestId`. */
    receipts(filter: { requestId?: string; limit?: number } = {}): Receipt[] {
        return this.store.receipts(filter);
    }

    /** JSON-able view of the client: its proxy connection, payments, newest receipts and outbox. */
    status() {
        const s = this.session;
        return {
            connected: s?.isOpen ?? false,
            proxy: s ? { endpoint: s.endpoint, contract: s.proxy.contract, paymentKey: s.proxy.publicKey } : null,
            wallet: this.wallet.toString(),
            root: this.registry.rootAddress.toString(),
            sessions: this.sessions,
            inFlight: s?.inFlight ?? 0,
            payments: this.payments.status(),
            proxies: this.scoreboard.all(),
            recovery: this.recovery?.status() ?? [],
            receipts: this.store.receipts({ limit: STATUS_ITEMS }).map((r) => ({
                requestId: r.requestId,
                at: r.at,
                tokens: r.tokens,
                coefficient: r.coefficient,
                cost: r.cost,
                clientTotal: r.clientTotal,
            })),
            outboxSummary: this.outbox.summary(STATUS_ITEMS, SETTLEMENT_INTENTS),
        };
    }

    /** The wallet's and the client contract's balances, read from the chain now. */
    balances(): Promise<BalanceRow[]> {
        return this.payments.balances();
    }

    /** Charges the client contract with the best signed charge now. */
    charge(): Promise<ChainActionResult> {
        return this.payments.chargeNow();
    }

    /** Tops up the client contract by `ton` (decimal TON). */
    topUp(ton: string): Promise<ChainActionResult> {
        let amount: bigint;
        try {
            amount = toNano(ton);
        } catch {
            throw new BadRequestError(400, 'ton must be a decimal amount of TON', 'invalid_value', 'ton');
        }
        return this.payments.topUp(amount);
    }

    withdraw(): Promise<ChainActionResult> {
        return this.payments.withdraw();
    }

    requestRefund(): Promise<ChainActionResult> {
        return this.payments.requestRefund();
    }

    /** Fails requests in flight (APIConnectionError), closes the connection, stops the outbox and closes the database. */
    async stop(): Promise<void> {
        if (this.stopping) return;
        this.stopping = true;
        this.session?.close();
        const closing = this.session?.closed;
        await this.reconnector?.stop();
        await closing;
        await this.recovery?.stop();
        await this.payments.stop();
        await this.outbox.stop();
        this.registry.stop();
        this.store.close();
        this.logger.info('client stopped');
    }

    private async create(path: Path, params: object, options: RequestOptions = {}): Promise<unknown> {
        const controller = new AbortController();
        const outer = options.signal;
        if (outer) {
            if (outer.aborted) controller.abort();
            else outer.addEventListener('abort', () => controller.abort(), { once: true });
        }
        const r = await this.request(path, JSON.stringify(params), { signal: controller.signal });
        if (r.status >= 400) throw await engineError(r);
        if ((params as { stream?: boolean }).stream === true) {
            const receipt = r.done.then((d) => d.receipt);
            receipt.catch(() => undefined);
            return new Stream(r.parts, r.requestId, receipt, controller);
        }
        let text = '';
        for await (const part of r.parts) text += part;
        const { receipt } = await r.done;
        const result = JSON.parse(text) as object;
        Object.defineProperties(result, { _request_id: { value: r.requestId }, _receipt: { value: receipt } });
        return result;
    }

    private async listModels() {
        const session = await this.connected();
        let m;
        try {
            m = await session.models(MODELS_TIMEOUT_MS);
        } catch (e) {
            throw new APIConnectionError(`models: ${(e as Error).message}`);
        }
        const price = BigInt(m.pricePerToken);
        return {
            object: 'list' as const,
            data: m.models.map((model) => ({
                id: model.name,
                object: 'model' as const,
                created: 0,
                owned_by: 'cocoon',
                price_per_token: m.pricePerToken,
                worker_fee_per_token: m.workerFeePerToken,
                workers: model.workers.map((w) => ({
                    coefficient: w.coefficient,
                    // what one adjusted token costs through this worker, nanoTON
                    price_per_token: ((price * BigInt(w.coefficient)) / BigInt(COEFFICIENT_ONE)).toString(),
                    active_requests: w.activeRequests,
                    max_active_requests: w.maxActiveRequests,
                })),
            })),
        };
    }

    /** A failed request that was charged: its receipt is still checked and kept (it proves what was charged). */
    private keepFailureReceipt(m: ClientAnswerError, verified: (r: Receipt, t: AdjustedTokens) => void, log: Logger): void {
        try {
            verified(m.receipt!, m.tokens!);
        } catch (e) {
            this.counters.badReceipts.inc();
            log.error('receipt of a failed request rejected', { error: e, receipt: m.receipt });
        }
    }

    private makeCounters(metrics: Metrics) {
        return {
            requests: metrics.counter('requests_total', 'Requests by path and outcome', ['path', 'outcome'] as const),
            badReceipts: metrics.counter('receipts_rejected_total', 'Receipts that failed verification'),
            connected: metrics.gauge('connected', 'Whether a verified, authorized proxy connection is up (1) or not (0)'),
        };
    }

    /** The current session, waiting briefly for a reconnect. */
    private async connected(): Promise<ProxySession> {
        if (this.session?.isOpen) return this.session;
        if (this.stopping) throw new APIConnectionError('client is stopped');
        await new Promise<void>((resolve) => {
            const timer = setTimeout(done, CONNECT_WAIT_MS);
            function done() {
                clearTimeout(timer);
                resolve();
            }
            this.sessionWaiters.add(done);
        });
        if (this.session?.isOpen) return this.session;
        throw new APIConnectionError('not connected to a proxy');
    }

    private attach(session: ProxySession): void {
        this.session = session;
        this.store.attached(session.clientContract.toRawString(), session.proxy.contract, Date.now());
        this.sessions++;
        this.counters.connected.set(1);
        for (const w of this.sessionWaiters) w();
        this.sessionWaiters.clear();
    }

    /** One Reconnector session: the one start() opened first, then a fresh one after each drop. */
    private async runSession(): Promise<void> {
        if (!this.session) {
            const session = await this.connectAny();
            // stop() came while this connection was being made: nothing else would close it
            if (this.stopping) return session.close();
            this.attach(session);
        }
        const info = await this.session!.closed;
        this.session = undefined;
        this.counters.connected.set(0);
        throw new Error(`connection closed (${info.code}${info.reason ? ` ${info.reason}` : ''})`);
    }

    /**
     * Tries the proxies best first by what this client saw of them (random among equals); a refusal is kept in
     * preference to an unreachable proxy for the error.
     */
    private async connectAny(): Promise<ProxySession> {
        const endpoints = this.config.proxies ?? (await this.registry.get()).proxies.map((p) => parseDescriptorText(p.descriptor).clients);
        if (endpoints.length === 0) throw new ProxyRefusedError('connect', '(none)', `root ${this.registry.rootAddress.toString()} registers no proxies`);
        const order = this.scoreboard.order(endpoints);
        let refusal: ProxyRefusedError | undefined;
        let unreachable: ProxyRefusedError | undefined;
        for (const endpoint of order) {
            if (this.stopping) break;
            try {
                const session = await ProxySession.open(this.sessionContext, endpoint);
                this.scoreboard.connected(endpoint);
                return session;
            } catch (e) {
                if (!(e instanceof ProxyRefusedError)) throw e;
                this.scoreboard.connectFailed(endpoint, e.check);
                this.logger.warn('proxy not usable', { proxy: endpoint, check: e.check, error: e.message });
                if (e.check === 'connect') unreachable ??= e;
                else refusal ??= e;
            }
        }
        throw refusal ?? unreachable ?? new ProxyRefusedError('connect', '(none)', 'client is stopping');
    }
}

/** An engine error passed through with its status: OpenAI's `{error:{message,code,param}}` body when it has one. */
async function engineError(r: RawResponse): Promise<APIError> {
    let text = '';
    try {
        for await (const part of r.parts) text += part;
    } catch (e) {
        if (e instanceof APIError) return e;
        throw e;
    }
    let error: { message?: string; code?: string; param?: string } | undefined;
    try {
        error = (JSON.parse(text) as { error?: typeof error }).error;
    } catch {
        error = undefined;
    }
    return apiError(r.status, error?.message ?? (text.slice(0, 500) || `status ${r.status}`), error?.code ?? null, error?.param ?? null, r.requestId);
}
