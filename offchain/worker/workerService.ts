import { Address, toNano } from '@ton/core';
import { ChainClient } from '../chain/client';
import { Outbox, type OutboxSummary } from '../chain/outbox';
import type { WalletAdapter } from '../chain/walletAdapter';
import { cocoonWalletAdapter, keyFromSeedHex, readWorkerContract, RegistryReader, type RootChange } from '../chain/cocoon';
import { randomU64, rootPolicy, workerClaims, type ProxyInfo, type ProxyQuery, type WorkerToProxy } from '../protocol';
import { createQuoteProvider, generateIdentity, IdentityRotator, PeerVerifier, type RatlsIdentity } from '../ratls';
import {
    accountBalance,
    BALANCES_REUSE_MS,
    contractStateName,
    createLogger,
    createMetrics,
    openDatabase,
    reuseFor,
    startOpsServer,
    validateConfig,
    type BalanceRow,
    type Db,
    type HealthReport,
    type Logger,
    type Metrics,
    type OpsServer,
} from '../runtime';
import { workerStateInit } from '../../wrappers/addresses';
import { parseDescriptorText } from '../../wrappers/descriptor';
import type { CocoonParams } from '../../wrappers/params';
import { modelHash } from '../../wrappers/root';
import { workerMessages } from '../../wrappers/worker';
import { baseModel, WORKER_SECRETS, workerConfigSchema, type WorkerConfig } from './config';
import { EngineClient } from './engineClient';
import { PAYMENT_MIGRATIONS, PaymentState } from './paymentState';
import { PayoutSubmitter, type PayoutResult } from './payouts';
import { ProxySession } from './proxySession';
import { runRequest, type RequestResult } from './requestRunner';
import { workerPage } from './statusPage';

/** Attached to the worker contract's deployment + registration: the contract keeps 0.11 TON, the rest comes back. */
export const REGISTER_VALUE = toNano('0.3');
/** Longest wait at start for the engine's first health answer (the worker starts either way). */
const FIRST_HEALTH_TIMEOUT_MS = 5000;
/** Outbox messages and payouts the status shows. */
const STATUS_ITEMS = 10;

export interface WorkerDeps {
    /** Receives every JSON log line (default: stderr). */
    logSink?: (line: string) => void;
    /** The worker's RA-TLS identity (default: one from `tdx.provider` with the worker claims, renewed hourly). */
    identity?: RatlsIdentity | IdentityRotator;
    chain?: ChainClient;
}

export interface WorkerStatus {
    wallet: string;
    root: string;
    model: string;
    coefficient: number;
    engine: { url: string; healthy: boolean };
    activeRequests: number;
    maxActiveRequests: number;
    proxies: {
        endpoint: string;
        phase: string;
        enabled: boolean;
        lastError: string | null;
        proxyContract: string | null;
        workerContract: string | null;
        activeRequests: number;
        ledger: { tokensMax: string; committedDb: string; committedChain: string; paidOnChain: string; payoutTokens: string | null } | null;
    }[];
    outbox: { pending: number; unsettled: { intent: string; state: string; reason: string | null }[] };
    /** Counts by state, the newest messages and the newest payouts this worker submitted itself. */
    outboxSummary: OutboxSummary;
}

/**
 * The worker service: sits in front of an OpenAI-compatible engine, keeps a session with every proxy (its own
 * RA-TLS identity, the proxies' checked against the root), serves their queries within one worker-wide concurrency
 * limit, tracks what each proxy owes it (SQLite) and submits its signed payouts itself past a threshold.
 */
export class WorkerService {
    private readonly sessions: ProxySession[] = [];
    private active = 0;
    private stopping = false;
    private engineHealthy = false;
    private readonly readyWaiters: (() => void)[] = [];
    private ops: OpsServer | null = null;
    private readonly stoppers: (() => void)[] = [];
    private readonly verifier: PeerVerifier;
    private readonly m: {
        requests: ReturnType<Metrics['counter']>;
        active: ReturnType<Metrics['gauge']>;
        tokens: ReturnType<Metrics['counter']>;
        proxies: ReturnType<Metrics['gauge']>;
        engine: ReturnType<Metrics['gauge']>;
    };

    private constructor(
        readonly config: WorkerConfig,
        private readonly log: Logger,
        private readonly chain: ChainClient,
        private readonly wallet: WalletAdapter,
        private readonly registry: RegistryReader,
        private readonly identity: RatlsIdentity | IdentityRotator,
        private readonly db: Db,
        private readonly payments: PaymentState,
        private readonly outbox: Outbox,
        private readonly engine: EngineClient,
        private readonly payouts: PayoutSubmitter,
        private readonly metrics: Metrics,
    ) {
        this.m = {
            requests: metrics.counter('requests_total', 'Requests by outcome', ['outcome']),
            active: metrics.gauge('active_requests', 'Requests in flight'),
            tokens: metrics.counter('tokens_total', 'Tokens reported by the engine, by kind', ['kind']),
            proxies: metrics.gauge('proxies_ready', 'Proxy sessions past their handshake'),
            engine: metrics.gauge('engine_healthy', '1 when the engine answers its health check'),
        };
        this.verifier = new PeerVerifier({ policy: rootPolicy('proxy', registry, config.tdx.peerProvider) });
    }

    /** Validates `config` (secrets from the environment), opens the database and outbox, and connects to the proxies. */
    static async start(input: unknown, deps: WorkerDeps = {}): Promise<WorkerService> {
        const config = validateConfig<WorkerConfig>(input, workerConfigSchema, 'worker', { secrets: WORKER_SECRETS });
        const log = createLogger({ component: 'worker', sink: deps.logSink });
        const chain = deps.chain ?? new ChainClient({ endpoints: config.chain.endpoints });
        const wallet = await cocoonWalletAdapter(keyFromSeedHex(config.wallet.seed, 'wallet seed'), Address.parse(config.wallet.owner));
        const registry = new RegistryReader(chain, Address.parse(config.root));
        const root = await registry.get();
        if (!root.modelHashes.has(modelHash(config.model))) {
            log.warn('the root does not list our model: proxies will refuse us', { model: config.model });
        }
        const claims = workerClaims({ owner: wallet.address, model: config.model });
        const provider = createQuoteProvider(config.tdx.provider);
        const identity =
            deps.identity ??
            (await IdentityRotator.start({ generate: () => generateIdentity({ provider, extra: claims }), log: (line) => log.info(line) }));
        const db = openDatabase(config.database, PAYMENT_MIGRATIONS);
        const payments = new PaymentState(db);
        const outbox = new Outbox({ db, chain, wallet, log: (line) => log.info(line), alert: (line) => log.error(line) });
        const engine = new EngineClient({ url: config.engineUrl, timeoutMs: config.engineTimeoutMs });
        const payouts = new PayoutSubmitter({
            outbox,
            chain,
            state: payments,
            wallet: wallet.address,
            thresholdNano: toNano(config.payoutThresholdTon.toFixed(9)),
            feePerToken: async () => (await registry.get()).params.workerFeePerToken,
            log,
        });
        const metrics = createMetrics('cocoon_worker');
        const service = new WorkerService(config, log, chain, wallet, registry, identity, db, payments, outbox, engine, payouts, metrics);
        try {
            await service.begin(root.proxies.map((p) => p.descriptor), !deps.identity);
        } catch (e) {
            await service.stop();
            throw e;
        }
        return service;
    }

    private async begin(registered: string[], ownsIdentity: boolean): Promise<void> {
        if (ownsIdentity) this.stoppers.push(() => (this.identity as IdentityRotator).stop());
        this.outbox.start();
        await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, FIRST_HEALTH_TIMEOUT_MS);
            this.engine.startHealth((healthy, reason) => {
                this.engineHealthy = healthy;
                this.m.engine.set(healthy ? 1 : 0);
                if (healthy) this.log.info('engine healthy', { url: this.config.engineUrl });
                else this.log.warn('engine unhealthy', { url: this.config.engineUrl, reason });
                for (const s of this.sessions) s.sendState();
                this.checkReady();
                clearTimeout(timer);
                resolve();
            });
        });
        for (const endpoint of this.config.proxies ?? this.endpointsOf(registered)) this.addSession(endpoint);
        if (this.sessions.length === 0) this.log.warn('no proxy to connect to yet: the root lists none and the config gives none');
        this.registry.onChange((c) => this.rootChanged(c));
        this.registry.start((error) => this.log.warn('cannot read the root', { error }));
        this.stoppers.push(() => this.registry.stop());
        const balances = reuseFor(BALANCES_REUSE_MS, () => this.balances());
        this.ops = await startOpsServer({
            port: this.config.ops.port,
            host: this.config.ops.host,
            ops: {
                health: () => this.health(),
                status: () => this.status(),
                metrics: this.metrics.registry,
                page: async () => workerPage(this.status(), await balances()),
            },
            log: this.log,
        });
    }

    /**
     * Follows the root: a proxy registered later is dialled too (unless the config lists the proxies); new params
     * mean new proxy and worker contracts, so every session handshakes again to derive them.
     */
    private rootChanged(c: RootChange): void {
        if (c.paramsVersionChanged) {
            this.log.info('root params changed: reconnecting to every proxy', { paramsVersion: c.current.paramsVersion });
            for (const s of this.sessions) s.reconnect();
        }
        if (c.versionChanged && !this.config.proxies && !this.stopping) {
            const known = new Set(this.sessions.map((s) => s.endpoint));
            for (const endpoint of this.endpointsOf(c.current.proxies.map((p) => p.descriptor))) {
                if (!known.has(endpoint)) this.addSession(endpoint);
            }
        }
    }

    private addSession(endpoint: string): void {
        const session = new ProxySession(endpoint, {
            wallet: this.wallet.address,
            model: this.config.model,
            coefficient: this.config.coefficient,
            maxActiveRequests: this.config.maxActiveRequests,
            identity: this.identity,
            verifier: this.verifier,
            registry: this.registry,
            payments: this.payments,
            log: this.log,
            enabled: () => this.engineHealthy && !this.stopping,
            ensureWorkerContract: (wc, proxy, params) => this.ensureWorkerContract(wc, proxy, params),
            ledgerAccepted: (pc) => this.considerPayout(pc),
            acquire: () => this.acquire(),
            release: () => this.release(),
            run: (q, signal, send, log) => this.run(q, signal, send, log),
            phaseChanged: () => {
                this.m.proxies.set(this.sessions.filter((s) => s.ready).length);
                this.checkReady();
            },
        });
        this.sessions.push(session);
        session.start();
    }

    /** Worker endpoints of the registered proxies; a descriptor that does not parse is skipped with a warning. */
    private endpointsOf(descriptors: string[]): string[] {
        const endpoints: string[] = [];
        for (const d of descriptors) {
            try {
                endpoints.push(parseDescriptorText(d).workers);
            } catch (e) {
                this.log.warn('skipping a registered proxy with a bad descriptor', { descriptor: d, error: e });
            }
        }
        return endpoints;
    }

    /** True once a proxy completed the handshake and was told we are enabled. */
    get connected(): boolean {
        return this.sessions.some((s) => s.enabledHere);
    }

    /** Resolves once some proxy has us enabled (at once if one does). */
    whenReady(): Promise<void> {
        if (this.connected) return Promise.resolve();
        return new Promise((resolve) => this.readyWaiters.push(resolve));
    }

    /** The ops port (useful when configured as 0). */
    get opsUrl(): string | null {
        return this.ops?.url ?? null;
    }

    get walletAddress(): Address {
        return this.wallet.address;
    }

    /** Submits the newest signed payout held for every proxy contract now and waits for each to settle. */
    async payoutNow(): Promise<PayoutResult[]> {
        const results = await Promise.all(this.payments.all().map((s) => this.payouts.submit(s.proxyContract)));
        return results.filter((r): r is PayoutResult => r !== null);
    }

    health(): HealthReport {
        const enabledBy = this.sessions.filter((s) => s.enabledHere).length;
        return { ok: this.engineHealthy && enabledBy > 0 && !this.stopping, engineHealthy: this.engineHealthy, proxiesEnabled: enabledBy };
    }

    status(): WorkerStatus {
        return {
            wallet: this.wallet.address.toString(),
            root: this.registry.rootAddress.toString(),
            model: this.config.model,
            coefficient: this.config.coefficient,
            engine: { url: this.config.engineUrl, healthy: this.engineHealthy },
            activeRequests: this.active,
            maxActiveRequests: this.config.maxActiveRequests,
            proxies: this.sessions.map((s) => {
                const l = s.proxy ? this.payments.get(s.proxy.contract) : undefined;
                return {
                    endpoint: s.endpoint,
                    phase: s.phase,
                    enabled: s.enabledHere,
                    lastError: s.lastError,
                    proxyContract: s.proxy?.contract ?? null,
                    workerContract: s.workerContract,
                    activeRequests: s.activeRequests,
                    ledger: l
                        ? {
                              tokensMax: l.tokensMax.toString(),
                              committedDb: l.committedDb.toString(),
                              committedChain: l.committedChain.toString(),
                              paidOnChain: l.paidOnChain.toString(),
                              payoutTokens: l.payout?.tokens.toString() ?? null,
                          }
                        : null,
                };
            }),
            outbox: {
                pending: this.outbox.pending,
                unsettled: this.outbox
                    .list({ states: ['queued', 'sent'] })
                    .map((r) => ({ intent: r.intent, state: r.state, reason: r.reason })),
            },
            outboxSummary: this.outbox.summary(STATUS_ITEMS, ['payout:']),
        };
    }

    /** The wallet's balance, and each worker contract's with the tokens it was paid for (read from the chain now). */
    balances(): Promise<BalanceRow[]> {
        const chain = this.chain;
        const wallet = this.wallet.address;
        const known = new Set(this.sessions.map((s) => s.workerContract).filter((c): c is string => c !== null));
        const contracts = [...known].map((c) => Address.parse(c));
        return Promise.all([
            accountBalance(chain, 'worker wallet', wallet),
            ...contracts.map((c) =>
                accountBalance(chain, 'worker contract', c, async () => {
                    const s = await readWorkerContract(chain, c);
                    return [['state', contractStateName(s.state)], ['tokens paid', s.tokens.toString()]];
                }),
            ),
        ]);
    }

    /** Fails the requests in flight, closes every proxy connection, stops the outbox and closes the database. */
    async stop(): Promise<void> {
        if (this.stopping) return;
        this.stopping = true;
        for (const s of this.sessions) s.sendState();
        await Promise.all(this.sessions.map((s) => s.stop()));
        this.engine.close();
        for (const stop of this.stoppers) stop();
        await this.ops?.close();
        await this.outbox.stop();
        this.db.close();
        this.log.info('worker stopped');
    }

    private considerPayout(proxyContract: string): void {
        this.payouts.consider(proxyContract).catch((error: unknown) => this.log.error('payout failed', { proxyContract, error }));
    }

    private checkReady(): void {
        if (!this.connected) return;
        for (const resolve of this.readyWaiters.splice(0)) resolve();
    }

    private acquire(): boolean {
        if (this.active >= this.config.maxActiveRequests) {
            this.m.requests.inc({ outcome: 'busy' });
            return false;
        }
        this.active++;
        this.m.active.set(this.active);
        return true;
    }

    private release(): void {
        this.active--;
        this.m.active.set(this.active);
    }

    private async run(q: ProxyQuery, signal: AbortSignal, send: (m: WorkerToProxy) => boolean, log: Logger): Promise<RequestResult> {
        const started = Date.now();
        const ctx = { engine: this.engine, model: baseModel(this.config.model), engineTimeoutMs: this.config.engineTimeoutMs, send, log };
        const result = await runRequest(q, signal, ctx);
        const u = result.usage;
        this.m.requests.inc({ outcome: result.outcome });
        this.m.tokens.inc({ kind: 'prompt' }, u.promptTokens);
        this.m.tokens.inc({ kind: 'cached' }, u.cachedTokens);
        this.m.tokens.inc({ kind: 'completion' }, u.completionTokens);
        this.m.tokens.inc({ kind: 'reasoning' }, u.reasoningTokens);
        log.info('request finished', { outcome: result.outcome, path: q.path, ms: Date.now() - started, usage: u });
        return result;
    }

    /**
     * Deploys the worker contract with its registration (one outbox message, StateInit attached) unless it is
     * active. One attempt at a time: a new one only after the previous settled without the contract appearing.
     */
    private ensureWorkerContract(workerContract: Address, proxy: ProxyInfo, params: CocoonParams): void {
        const task = async () => {
            if ((await this.chain.getAccount(workerContract)).state === 'active') return;
            const key = `register:${workerContract.toRawString()}`;
            let attempt = 0;
            for (let r = this.outbox.byIntent(`${key}:0`); r; r = this.outbox.byIntent(`${key}:${++attempt}`)) {
                const settled = r.state === 'failed' || (r.state === 'confirmed' && r.outcome !== null);
                if (!settled) return; // in flight
            }
            const init = workerStateInit({
                owner: this.wallet.address,
                proxyAddress: Address.parse(proxy.contract),
                proxyPublicKey: Buffer.from(proxy.publicKey, 'hex'),
                params,
            });
            const record = this.outbox.enqueue({
                intent: `${key}:${attempt}`,
                to: workerContract,
                value: REGISTER_VALUE,
                body: workerMessages.register(randomU64(), this.wallet.address),
                init,
            });
            this.log.info('deploying the worker contract', { workerContract: workerContract.toString(), intent: record.intent });
        };
        task().catch((error: unknown) => this.log.error('cannot deploy the worker contract', { workerContract, error }));
    }
}
