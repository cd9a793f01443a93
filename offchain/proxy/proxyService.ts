import { Address, toNano } from '@ton/core';
import { randomBytes } from 'crypto';
import { ChainClient, cocoonWalletAdapter, keyFromSeedHex, RegistryReader } from '../chain';
import { Outbox } from '../chain/outbox';
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
import { createLogger, type HealthReport } from '../runtime';
import { proxyAddress, proxyStateInit } from '../../wrappers/addresses';
import { proxyMessages } from '../../wrappers/proxy';
import { availableTokens } from './accounts';
import { runClientSession } from './clientSession';
import { CommitLoop } from './commitLoop';
import { parseProxyConfig, type ProxyConfig } from './config';
import type { OpenConnection, ProxyContext, Refusal } from './context';
import { ContractWatch } from './contractWatch';
import { ProxyStartError } from './errors';
import { Ledger } from './ledger';
import { createProxyMetrics } from './metrics';
import { startProxyOps, type ProxyOpsServer } from './ops';
import { clientPayment, workerPayment } from './payments';
import { ReputationBook } from './reputation';
import { ReputationPublisher } from './reputationPublisher';
import { Router, type ClientPeer } from './router';
import { Settlement, type SettleReport } from './settlement';
import { WorkerPool } from './workerPool';
import { runWorkerSession } from './workerSession';

export interface ProxyDeps {
    /** Receives each JSON log line (default stderr). */
    logSink?: (line: string) => void;
    /** RA-TLS identity to present (default: a fresh one from `tdx.provider`, binding the payment key, owner and root). */
    identity?: RatlsIdentity;
    chain?: ChainClient;
}

/** A CocoonWallet refuses key-signed sends below 2 TON (1035); the deployment also needs the stake on top. */
const WALLET_FLOOR = toNano('2');
/** Attached to the deployment beyond the stake: the contract's 0.1 TON check, plus fees (the excess returns). */
const DEPLOY_MARGIN = toNano('0.2');
const START_WAIT_MS = 180_000;

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
        const ledger = Ledger.open(config.database, { secretKey: key.secretKey, excessesTo: wallet.address });
        const known = ledger.meta('contract');
        if (known && known !== contract.toRawString()) {
            ledger.close();
            throw new ProxyStartError(
                `database ${config.database} belongs to proxy contract ${known}, but the root's current params derive ${contract.toRawString()} ` +
                    '(retiring an old contract is not implemented)',
            );
        }
        ledger.setMeta('contract', contract.toRawString());
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
        const opsServer = await startProxyOps({
            host: config.ops.host,
            port: config.ops.port,
            adminToken: config.adminToken,
            log,
            settle: () => settlement.settle(),
            publishReputation: () => reputation.publish(),
            ops: { health, status: () => service?.status() ?? { state: 'starting' }, metrics: metrics.metrics.registry },
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
            settlement.start();
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
        reputation.start();
        service = new ProxyService(ctx, watch, commits, settlement, reputation, router, pool, peers, open, listeners, opsServer, started);
        log.info('proxy serving', { ...service.ports, refusing: ctx.refusal?.code ?? null });
        return service;
    }

    /** Commit, save-state confirmed on-chain, then every unsettled charge and payout sent and settled. */
    settle(): Promise<SettleReport> {
        return this.settlement.settle();
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
            outbox: ctx.outbox.list().slice(-50).map((r) => ({
                id: r.id,
                intent: r.intent,
                to: r.to.toRawString(),
                value: r.value.toString(),
                state: r.state,
                outcome: r.outcome,
                walletTx: r.walletTx?.hash ?? null,
                tx: r.destination?.hash ?? null,
                exitCode: r.destination?.exitCode ?? null,
                reason: r.reason,
            })),
            outboxPending: ctx.outbox.pending,
        };
    }

    /** Stops listening, fails the requests in flight (shutting_down), commits, stops the outbox and closes the database. */
    async stop(): Promise<void> {
        if (this.stopped) return;
        this.stopped = true;
        const { ctx } = this;
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
        ctx.ledger.close();
        ctx.log.info('proxy stopped');
    }
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
