import { Address, toNano } from '@ton/core';
import { randomBytes } from 'crypto';
import { existsSync, renameSync } from 'fs';
import { ChainClient, cocoonWalletAdapter, keyFromSeedHex, readProxyContract, RegistryReader } from '../chain';
import { Outbox, outboxItem } from '../chain/outbox';
import {
    clientPeerPolicy,
    listenProtocol,
    pricesOf,
    proxyClaims,
    randomU64,
    rootPolicy,
    type Listener,
} from '../protocol';
import { FakeQuoteProvider, generateIdentity, PeerVerifier, TsmQuoteProvider, type RatlsIdentity } from '../ratls';
import { accountBalance, BALANCES_REUSE_MS, contractStateName, createLogger, reuseFor, ton, type BalanceRow, type HealthReport } from '../runtime';
import { proxyAddress, proxyStateInit } from '../../wrappers/addresses';
import { proxyMessages } from '../../wrappers/proxy';
import { availableTokens } from './accounts';
import { runClientSession } from './clientSession';
import { CommitLoop } from './commitLoop';
import { parseProxyConfig, type ProxyConfig } from './config';
import type { OpenConnection, ProxyContext, Refusal } from './context';
import { ContractWatch } from './contractWatch';
import { ProxyStartError } from './errors';
import { Ledger, type Retirement } from './ledger';
import { createProxyMetrics } from './metrics';
import { startProxyOps, type ProxyOpsServer } from './ops';
import { clientPayment, workerPayment } from './payments';
import { ReputationBook } from './reputation';
import { ReputationPublisher } from './reputationPublisher';
import { Retirements } from './retirement';
import { Router, type ClientPeer } from './router';
import { Settlement, type SettleReport } from './settlement';
import { proxyPage } from './statusPage';
import { WorkerPool } from './workerPool';
import { runWorkerSession } from './workerSession';

export interface ProxyDeps {
    /** Receives each JSON log line (default stderr). */
    logSink?: (line: string) => void;
    /** Called once when the root's params no longer derive this proxy's contract (ProxyRunner starts the next generation). */
    onOutdated?: () => void;
    /** Retirements handed over by the previous generation (ProxyService.handOver). */
    handover?: Retirement[];
    /** RA-TLS identity to present (default: a fresh one from `tdx.provider`, binding the payment key, owner and root). */
    identity?: RatlsIdentity;
    chain?: ChainClient;
}

/** A CocoonWallet refuses key-signed sends below 2 TON (1035); the deployment also needs the stake on top. */
const WALLET_FLOOR = toNano('2');
/** Attached to the deployment beyond the stake: the contract's 0.1 TON check, plus fees (the excess returns). */
const DEPLOY_MARGIN = toNano('0.2');
const START_WAIT_MS = 180_000;
/** Outbox messages and settlements the status shows. */
const STATUS_ITEMS = 10;
const SETTLEMENT_INTENTS = ['charge:', 'payout:'];

/**
 * The COCOON proxy service: sits between clients and workers, accounts every request in its SQLite ledger, proves
 * its database state on its proxy contract (save-state records) and settles charges and payouts on-chain.
 */
export class ProxyService {
    private stopped = false;

    private constructor(
        private readonly ctx: ProxyContext,
        private readonly watch: ContractWatch,
        private readonly commits: CommitLoop,
        private readonly settlement: Settlement,
        private readonly reputation: ReputationPublisher,
        private readonly router: Router,
        private readonly pool: WorkerPool,
        private readonly peers: Set<ClientPeer>,
        private readonly open: Set<OpenConnection>,
        private readonly listeners: Listener[],
        private readonly opsServer: ProxyOpsServer,
        private readonly started: { deployed: boolean; firstSaveState: boolean },
        private readonly retirements: Retirements,
        private readonly paramsWatch: NodeJS.Timeout,
    ) {}

    get ports(): { workers: number; clients: number; ops: number } {
        return { workers: this.listeners[0].port, clients: this.listeners[1].port, ops: this.opsServer.port };
    }

    get contractAddress(): Address {
        return this.ctx.contract;
    }

    get walletAddress(): Address {
        return this.ctx.wallet.address;
    }

    static async start(input: ProxyConfig, deps: ProxyDeps = {}): Promise<ProxyService> {
        const config = parseProxyConfig(input);
        const log = createLogger({ component: 'proxy', sink: deps.logSink });
        const key = keyFromSeedHex(config.wallet.seed, 'wallet.seed');
        const owner = Address.parse(config.owner ?? config.wallet.owner);
        const wallet = await cocoonWalletAdapter(key, Address.parse(config.wallet.owner));
        const chain = deps.chain ?? new ChainClient({ endpoints: config.chain.endpoints });
        const rootAddress = Address.parse(config.root);
        const registry = new RegistryReader(chain, rootAddress, { maxAgeMs: config.rootRefreshSeconds * 1000 });
        const root = await registry.refresh();
        const params = root.params;
        const contract = proxyAddress({ owner, proxyPublicKey: key.publicKey, root: rootAddress, params });
        const signer = { secretKey: key.secretKey, excessesTo: wallet.address };
        let ledger = Ledger.open(config.database, signer);
        const known = ledger.meta('contract');
        let handover = deps.handover ?? [];
        if (known && known !== contract.toRawString()) {
            // the root's params changed: this database is the old generation's; it moves aside and is retired
            if (!deps.handover) handover = ledger.handover(known);
            ledger.close();
            const aside = setAside(config.database, known);
            ledger = Ledger.open(config.database, signer);
            log.warn('root params changed: retiring the old proxy contract', { old: known, new: contract.toRawString(), oldDatabase: aside, paramsVersion: params.paramsVersion });
        }
        ledger.setMeta('contract', contract.toRawString());
        for (const r of handover) ledger.addRetirement(r);
        const closedByOperator = ledger.retirements().some((r) => r.contract === contract.toRawString());
        const outbox = new Outbox({ db: ledger.db, chain, wallet, pollMs: config.chain.pollMs, log: (line) => log.info(line), alert: (line) => log.error(line) });
        const metrics = createProxyMetrics();
        let onRefuse: (() => void) | undefined;
        const refused = new Promise<void>((resolve) => (onRefuse = resolve));
        const ctx: ProxyContext = {
            config,
            log,
            chain,
            registry,
            ledger,
            outbox,
            key,
            wallet,
            owner,
            contract,
            params,
            prices: pricesOf(params),
            info: {
                publicKey: key.publicKey.toString('hex'),
                owner: owner.toRawString(),
                contract: contract.toRawString(),
                root: rootAddress.toRawString(),
                rootVersion: root.version,
                paramsVersion: params.paramsVersion,
            },
            metrics,
            refusal: null,
            refuse(code, reason) {
                if (ctx.refusal) return void log.warn('also refusing for another reason', { code, reason });
                ctx.refusal = { code, reason, since: Date.now() } satisfies Refusal;
                log.error(reason, { code });
                onRefuse!();
            },
        };
        // a contract its operator closed stays closed: the service only finishes the retirement, and says why
        if (closedByOperator) ctx.refuse('shutting_down', `proxy contract ${contract.toRawString()} is closed by its operator`);
        const started = { deployed: false, firstSaveState: false };
        const pool = new WorkerPool(new ReputationBook(config.reputation.windowSeconds));
        const router = new Router(ctx, pool);
        const watch = new ContractWatch(ctx, ledger.watcherLt);
        const commits = new CommitLoop(ctx, watch, BigInt('0x' + randomBytes(32).toString('hex')));
        const settlement = new Settlement(ctx, watch, commits);
        const reputation = new ReputationPublisher(ctx, pool.reputation);
        const peers = new Set<ClientPeer>();
        const open = new Set<OpenConnection>();
        // counts newly confirmed on-chain: each connected client and worker gets its new signed charge or payout now,
        // not only with its next request (a worker collects its own pay with it; a client can charge itself)
        watch.onPromoted = (accounts) => {
            const moved = new Set(accounts);
            for (const p of peers) if (moved.has(p.account)) p.conn.send(clientPayment(ctx, p.account));
            for (const w of pool.list()) if (moved.has(w.account)) w.conn.send(workerPayment(ctx, w.account));
        };
        const health = (): HealthReport => ({
            ok: started.deployed && started.firstSaveState && !ctx.refusal,
            deployed: started.deployed,
            firstSaveStateConfirmed: started.firstSaveState,
            refusal: ctx.refusal?.reason ?? null,
        });
        let service: ProxyService | undefined;
        const balances = reuseFor(BALANCES_REUSE_MS, () => service!.balances());
        const opsServer = await startProxyOps({
            host: config.ops.host,
            port: config.ops.port,
            adminToken: config.adminToken,
            log,
            settle: () => settlement.settle(),
            publishReputation: () => reputation.publish(),
            closeForGood: () => service!.closeForGood(),
            ops: {
                health,
                status: () => service?.status() ?? { state: 'starting' },
                metrics: metrics.metrics.registry,
                page: async () => (service ? proxyPage(service.status(), await balances()) : proxyPage(null, [])),
            },
        });
        const listeners: Listener[] = [];
        try {
            outbox.start();
            await ensureDeployed(ctx, config.stakeTon === undefined ? params.minProxyStake : toNano(config.stakeTon.toString()));
            started.deployed = true;
            log.info('proxy contract ready', { contract: contract.toRawString(), wallet: wallet.address.toRawString(), seqno: ledger.seqno });
            // COCOON's start: replay the contract since the stored point, then a save-state of this session, and serve
            // only once it is seen on-chain (or refuse, when the replay finds a record this database never wrote).
            watch.start();
            const first = commits.commit(true)!;
            await Promise.race([watch.confirmed(first), refused, timeout(START_WAIT_MS, `first save-state ${first} not confirmed`)]);
            started.firstSaveState = !ctx.refusal;
            commits.start();
            if (!closedByOperator) settlement.start();
            const identity =
                deps.identity ??
                (await generateIdentity({
                    provider: config.tdx.provider === 'fake' ? new FakeQuoteProvider() : new TsmQuoteProvider(),
                    extra: proxyClaims({ paymentKey: key.publicKey, owner, root: rootAddress }),
                }));
            const workerDeps = {
                ctx,
                pool,
                router,
                open,
                nextId: (() => {
                    let n = 0;
                    return () => ++n;
                })(),
                onChange: () => metrics.workers.set(pool.size),
            };
            const clientDeps = { ctx, pool, router, watch, open, peers, onChange: () => metrics.clients.set(peers.size) };
            const lineLog = (line: string) => log.info(line);
            listeners.push(
                await listenProtocol({
                    port: config.listen.workers.port,
                    host: config.listen.workers.host,
                    identity,
                    verifier: new PeerVerifier({ policy: rootPolicy('worker', registry, config.tdx.peerProvider) }),
                    log: lineLog,
                    onConnection: (ws, peer, remote) => void runWorkerSession(workerDeps, ws, peer, remote),
                }),
            );
            listeners.push(
                await listenProtocol({
                    port: config.listen.clients.port,
                    host: config.listen.clients.host,
                    identity,
                    verifier: new PeerVerifier({ policy: clientPeerPolicy() }),
                    log: lineLog,
                    onConnection: (ws, _peer, remote) => void runClientSession(clientDeps, ws, remote),
                }),
            );
        } catch (e) {
            watch.stop();
            commits.stop();
            settlement.stop();
            for (const l of listeners) await l.close();
            await outbox.stop();
            await opsServer.close();
            ledger.close();
            throw e;
        }
        if (!closedByOperator) reputation.start();
        const retirements = new Retirements(ctx);
        retirements.start();
        const paramsWatch = watchParams(ctx, closedByOperator ? undefined : deps.onOutdated);
        service = new ProxyService(ctx, watch, commits, settlement, reputation, router, pool, peers, open, listeners, opsServer, started, retirements, paramsWatch);
        log.info('proxy serving', { ...service.ports, refusing: ctx.refusal?.code ?? null });
        return service;
    }

    /** Commit, save-state confirmed on-chain, then every unsettled charge and payout sent and settled. */
    settle(): Promise<SettleReport> {
        return this.settlement.settle();
    }

    /**
     * The operator closes this proxy for good: it stops serving (saying why), commits its final counts and retires
     * its own contract as it would an old generation's (signed close, grant-refunds, last payouts, close-complete).
     */
    closeForGood(): { contract: string; clients: number; workers: number } {
        const { ctx } = this;
        const own = ctx.contract.toRawString();
        const reason = `proxy contract ${own} is closed by its operator`;
        if (!ctx.ledger.retirements().some((r) => r.contract === own)) {
            clearInterval(this.paramsWatch);
            ctx.refuse('shutting_down', reason);
            this.router.failAll('shutting_down', reason);
            for (const c of this.open) c.fail('shutting_down', reason, 1001);
            // the signed grant-refunds and last payouts carry the final counts: no charge or payout races them
            this.settlement.stop();
            this.reputation.stop();
            this.commits.commit(false);
            ctx.ledger.addRetirement(ctx.ledger.handover(own).at(-1)!);
        }
        const r = this.retirements.list().find((x) => x.contract === own)!;
        return { contract: own, clients: r.clients, workers: r.workers };
    }

    /** Queues a reputation snapshot now (when it changed since the last); null when there was nothing new to publish. */
    publishReputation() {
        return this.reputation.publish();
    }

    /** JSON-able view of the proxy: contract, refusal, seqnos, workers, clients with counters, outbox records. */
    status() {
        const { ctx } = this;
        const connected = new Set([...this.peers].map((p) => p.account.key));
        return {
            state: this.stopped ? 'stopped' : ctx.refusal ? 'refusing' : 'serving',
            refusal: ctx.refusal,
            contract: ctx.contract.toRawString(),
            wallet: ctx.wallet.address.toRawString(),
            owner: ctx.owner.toRawString(),
            root: ctx.info.root,
            paramsVersion: ctx.params.paramsVersion,
            prices: { pricePerToken: ctx.prices.pricePerToken.toString(), workerFeePerToken: ctx.prices.workerFeePerToken.toString() },
            seqno: ctx.ledger.seqno,
            confirmedSeqno: this.watch.lastConfirmed,
            runningRequests: this.router.running,
            workers: this.pool.list().map((w) => ({
                id: w.id,
                contract: w.account.key,
                owner: w.account.owner.toRawString(),
                model: w.model,
                coefficient: w.coefficient,
                enabled: w.enabled,
                running: w.running,
                maxActiveRequests: w.maxActive,
                reputation: w.record.figures(),
            })),
            retirements: this.retirements.list().map((r) => ({ contract: r.contract, phase: r.phase, clients: r.clients, workers: r.workers })),
            reputation: {
                windowSeconds: this.pool.reputation.windowSeconds,
                publishSeconds: ctx.config.reputation.publishSeconds,
                lastPublished: this.reputation.last,
            },
            workerAccounts: [...ctx.ledger.workers.values()].map((a) => ({
                contract: a.key,
                owner: a.owner.toRawString(),
                model: a.model,
                tokensMax: a.counters.tokensMax.toString(),
                committedDb: a.counters.committedDb.toString(),
                committedChain: a.counters.committedChain.toString(),
                paidOnChain: a.paidOnChain.toString(),
            })),
            clients: [...ctx.ledger.clients.values()].map((a) => ({
                contract: a.key,
                owner: a.owner.toRawString(),
                connected: connected.has(a.key),
                tokensMax: a.counters.tokensMax.toString(),
                committedDb: a.counters.committedDb.toString(),
                committedChain: a.counters.committedChain.toString(),
                chargedOnChain: (a.snapshot?.tokensUsed ?? 0n).toString(),
                reserved: a.reserved.toString(),
                available: availableTokens(a, ctx.prices).toString(),
                balance: a.snapshot?.balance.toString() ?? null,
                stake: a.snapshot?.stake.toString() ?? null,
                contractState: a.snapshot?.state ?? null,
            })),
            outbox: ctx.outbox.list({ limit: 50, newestFirst: true }).reverse().map(outboxItem),
            outboxPending: ctx.outbox.pending,
            outboxSummary: ctx.outbox.summary(STATUS_ITEMS, SETTLEMENT_INTENTS),
        };
    }

    /** The wallet's balance and the proxy contract's, with its earnings and stake (read from the chain now). */
    balances(): Promise<BalanceRow[]> {
        const { chain, wallet, contract } = this.ctx;
        return Promise.all([
            accountBalance(chain, 'proxy wallet', wallet.address),
            accountBalance(chain, 'proxy contract', contract, async () => {
                const s = await readProxyContract(chain, contract);
                return [['state', contractStateName(s.state)], ['earnings', ton(s.balance)], ['stake', ton(s.stake)]];
            }),
        ]);
    }

    /** Stops listening, fails the requests in flight (shutting_down), commits, stops the outbox and closes the database. */
    async stop(): Promise<void> {
        await this.shutdown();
    }

    /**
     * Stops this generation for the next one: like stop(), and returns what retiring its contract takes (its final
     * counts, committed by the last commit) for the next generation to carry out.
     */
    async handOver(): Promise<Retirement[]> {
        return (await this.shutdown()) ?? [];
    }

    private async shutdown(): Promise<Retirement[] | null> {
        if (this.stopped) return null;
        this.stopped = true;
        const { ctx } = this;
        clearInterval(this.paramsWatch);
        this.retirements.stop();
        this.router.failAll('shutting_down', 'the proxy is stopping');
        for (const c of this.open) c.fail('shutting_down', 'the proxy is stopping', 1001);
        for (const l of this.listeners) await l.close();
        this.settlement.stop();
        this.reputation.stop();
        this.commits.stop();
        this.watch.stop();
        try {
            this.commits.commit(false);
        } catch (e) {
            ctx.log.error('final commit failed', { error: e });
        }
        await ctx.outbox.stop();
        await this.opsServer.close();
        const handover = ctx.ledger.handover(ctx.contract.toRawString());
        ctx.ledger.close();
        ctx.log.info('proxy stopped');
        return handover;
    }
}

/**
 * Reads the root every `rootRefreshSeconds` (at least every second): once its params version is no longer this
 * contract's, the generation is outdated and `onOutdated` is called (once).
 */
function watchParams(ctx: ProxyContext, onOutdated: (() => void) | undefined): NodeJS.Timeout {
    const timer: NodeJS.Timeout = setInterval(() => {
        ctx.registry.get().then(
            (root) => {
                if (root.params.paramsVersion === ctx.params.paramsVersion) return;
                clearInterval(timer);
                ctx.log.warn('the root params changed: this proxy contract belongs to an old generation', {
                    contract: ctx.contract.toRawString(),
                    paramsVersion: ctx.params.paramsVersion,
                    rootParamsVersion: root.params.paramsVersion,
                });
                onOutdated?.();
            },
            (e: unknown) => ctx.log.warn('reading the root failed', { error: e }),
        );
    }, Math.max(1000, ctx.config.rootRefreshSeconds * 1000));
    return timer;
}

/** Moves an old generation's database files aside (kept for audit); null for an in-memory database. */
function setAside(database: string, contract: string): string | null {
    if (database === ':memory:') return null;
    const aside = `${database}.retired-${contract.slice(2, 14)}`;
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(database + suffix)) renameSync(database + suffix, aside + suffix);
    return aside;
}

function timeout(ms: number, what: string): Promise<never> {
    return new Promise((_, reject) => setTimeout(() => reject(new ProxyStartError(`${what} within ${ms / 1000} s`)), ms).unref());
}

/** Deploys the proxy contract with its stake through the outbox (once per contract: the intent names it). */
async function ensureDeployed(ctx: ProxyContext, stake: bigint): Promise<void> {
    const account = await ctx.chain.getAccount(ctx.contract);
    if (account.state === 'active') return;
    const value = stake + DEPLOY_MARGIN;
    for (;;) {
        const balance = (await ctx.chain.getAccount(ctx.wallet.address)).balance;
        if (balance >= WALLET_FLOOR + value) break;
        ctx.log.error('ACTION REQUIRED: fund the proxy wallet to deploy the proxy contract', {
            wallet: ctx.wallet.address.toString(),
            balance: balance.toString(),
            needed: (WALLET_FLOOR + value).toString(),
        });
        await new Promise((r) => setTimeout(r, 5000));
    }
    const init = proxyStateInit({ owner: ctx.owner, proxyPublicKey: ctx.key.publicKey, root: Address.parse(ctx.info.root), params: ctx.params });
    const record = ctx.outbox.enqueue({
        intent: `deploy:${ctx.contract.toRawString()}`,
        to: ctx.contract,
        value,
        body: proxyMessages.increaseStake(randomU64(), stake, ctx.wallet.address),
        init,
    });
    const done = await ctx.outbox.wait(record.id, START_WAIT_MS);
    if (done.outcome !== 'delivered') {
        throw new ProxyStartError(`deploying proxy contract ${ctx.contract.toRawString()} failed: ${done.reason ?? `exit code ${done.destination?.exitCode}`}`);
    }
    ctx.log.info('proxy contract deployed', { contract: ctx.contract.toRawString(), stake: stake.toString(), tx: done.destination?.hash });
}
