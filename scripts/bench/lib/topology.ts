// Issue "Performance at network scale", Scale: a topology of 10 proxies, 1,000 workers and 100 clients on the devnet,
// traffic for a bounded time, then every account settled and checked to the nanoTON against the clients' receipts.
import { markdownTable, type BenchOptions, type BenchSection } from './section';
import { load } from './proxyOverhead';
import { checkBooks, readBooks } from './topologyBooks';
import { ADMIN_TOKEN, megabytes, startTopology, type TopologyShape } from './topologyNet';
import type { HostMemory, TrafficFigures } from './topologyHost';

export interface TopologyRun extends TopologyShape {
    /** Seconds of traffic. */
    seconds: number;
    streamsPerClient: number;
    maxTokens: number;
}

const THRESHOLDS = { chargeTon: 0.001, payoutTon: 0.0002, workerPayoutTon: 0.0002 };
export const FULL_RUN: TopologyRun = { proxies: 10, workers: 1000, clients: 100, workersPerHost: 500, ...THRESHOLDS, saveStateSeconds: 5, seconds: 60, streamsPerClient: 2, maxTokens: 20 };
export const SMOKE_RUN: TopologyRun = { proxies: 2, workers: 4, clients: 3, workersPerHost: 4, ...THRESHOLDS, saveStateSeconds: 1, seconds: 3, streamsPerClient: 2, maxTokens: 20 };
/** The direct-engine baseline's share of the traffic time (seconds, at most). */
const BASELINE_SECONDS = 10;

/** POST /admin/settle answers 500 when one of its messages is not settled within the proxy's own wait (2 min). */
const SETTLE_ATTEMPTS = 5;

/**
 * Settles one proxy through its admin path, again while it answers that a message is still on its way (a settle
 * only sends what is unsettled, so a repeat waits for the rest); resolves with the attempts it took.
 */
async function settle(ops: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${ops}/admin/settle`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        if (res.status === 200) return attempt;
        const body = await res.text();
        if (attempt === SETTLE_ATTEMPTS) throw new Error(`settling ${ops}: HTTP ${res.status} ${body} (attempt ${attempt})`);
    }
}

const mb = (m: HostMemory | undefined) => (m ? `${megabytes(m.rssBytes).toFixed(0)} MB RSS, ${megabytes(m.heapUsedBytes).toFixed(0)} MB heap` : 'n/a');
const ton = (nano: bigint) => (Number(nano) / 1e9).toFixed(4);

/**
 * Runs the topology: sets it up (timed), drives `streamsPerClient` back-to-back streamed chats per client for
 * `seconds`, settles every proxy through its admin path, and checks the books. The baseline is the test engine
 * called directly with the same number of concurrent streams, in the same run.
 */
export async function benchTopology(o: BenchOptions, overrides: Partial<TopologyRun> = {}): Promise<BenchSection> {
    const run = { ...(o.smoke ? SMOKE_RUN : FULL_RUN), ...overrides };
    const setupStarted = performance.now();
    const net = await startTopology(run, o.log);
    try {
        const setupSeconds = (performance.now() - setupStarted) / 1000;
        const contracts = { clients: net.clientContracts, workers: net.workerContracts, proxies: net.proxies.map((p) => p.contract) };
        const clientProxy = net.clientContracts.map((_, i) => i % run.proxies);
        const before = await readBooks(net.chain, contracts);
        const streams = run.clients * run.streamsPerClient;

        o.log(`topology: baseline, the test engine directly with ${streams} streams`);
        const baseline = await load(`${net.engineUrl}/v1`, streams, Math.min(BASELINE_SECONDS, run.seconds));

        o.log(`topology: traffic, ${streams} streams for ${run.seconds} s`);
        const txsBefore = net.devnet.ledger.store.size;
        const traffic: TrafficFigures = (await net.hosts.clients.request({ op: 'traffic', seconds: run.seconds, streamsPerClient: run.streamsPerClient, maxTokens: run.maxTokens }, 'traffic')).figures;
        const peak: Record<string, HostMemory> = { clients: (await net.hosts.clients.request({ op: 'memory' }, 'memory')).memory };
        for (const h of [net.hosts.engine, net.hosts.proxies, ...net.hosts.workers]) peak[h.name] = (await h.request({ op: 'memory' }, 'memory')).memory;
        const txsDuringTraffic = net.devnet.ledger.store.size - txsBefore;

        o.log(`topology: ${traffic.requests} requests (${traffic.failed} failed), ${traffic.tokens} tokens in ${traffic.seconds.toFixed(1)} s; settling every proxy`);
        const settleStarted = performance.now();
        const settleAttempts = await Promise.all(net.proxies.map((p) => settle(p.ops)));
        const settleSeconds = (performance.now() - settleStarted) / 1000;
        const txs = net.devnet.ledger.store.range(txsBefore);
        const fees = txs.reduce((sum, r) => sum + r.tx.totalFees.coins, 0n);

        const after = await readBooks(net.chain, contracts);
        const books = checkBooks(before, after, traffic.books, net.clientContracts, net.workerContracts, clientProxy);
        const paid = after.clients.reduce((s, c, i) => s + (before.clients[i].balance - c.balance), 0n);

        const rps = traffic.requests / traffic.seconds;
        const baseRps = baseline.requests / baseline.seconds;
        const rows: (string | number)[][] = [
            ['proxies / workers / clients', `${run.proxies} / ${run.workers} / ${run.clients}`, '–'],
            ['set-up (devnet, root, deploys, handshakes)', `${setupSeconds.toFixed(1)} s (${Object.entries(net.setup.steps).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')})`, '–'],
            ['on-chain transactions in set-up', net.setup.transactions, '–'],
            ['concurrent streams', streams, streams],
            ['requests (failed)', `${traffic.requests} (${traffic.failed})`, baseline.requests],
            ['requests/s', rps.toFixed(0), baseRps.toFixed(0)],
            ['tokens charged', traffic.tokens, baseline.tokens],
            ['time to answer head p50 / p99 (ms)', `${traffic.headP50.toFixed(1)} / ${traffic.headP99.toFixed(1)}`, `${baseline.ttftP50.toFixed(1)} / ${baseline.ttftP99.toFixed(1)} (first token)`],
            ['network ÷ direct requests/s', `${((100 * rps) / baseRps).toFixed(0)}%`, '100%'],
            ['on-chain transactions, traffic / traffic + settle', `${txsDuringTraffic} / ${txs.length}`, '–'],
            ['fees, traffic + settle (TON)', ton(fees), '–'],
            ['fees ÷ what the clients paid', paid > 0n ? `${((100 * Number(fees)) / Number(paid)).toFixed(2)}%` : 'n/a', '–'],
            ['settle (s)', settleSeconds.toFixed(1), '–'],
            ['POST /admin/settle calls (one per proxy if none timed out)', settleAttempts.reduce((a, b) => a + b, 0), run.proxies],
            ...Object.keys(peak).map((name) => [`memory ${name}, up → after traffic`, `${mb(net.setup.memory[name])} → ${mb(peak[name])}`, '–']),
            ['checks to the nanoTON', `${books.checks - books.mismatches.length} of ${books.checks} passed`, '–'],
        ];
        const workerRss = net.hosts.workers.reduce((s, h) => s + (peak[h.name]?.rssBytes ?? 0), 0);
        return {
            title: 'Topology: proxies, workers and clients on the devnet, settled to the nanoTON',
            table: markdownTable(['figure', 'topology', 'baseline: engine direct'], rows, ['l', 'r', 'r']),
            targets: [
                {
                    what: `every client, worker and proxy contract equals the receipts (${run.proxies} proxies, ${run.workers} workers, ${run.clients} clients)`,
                    measured: `${books.checks - books.mismatches.length} of ${books.checks}`,
                    target: 'all',
                    met: books.mismatches.length === 0 && traffic.requests > 0,
                },
            ],
            notes: [
                `Layout: this process runs the devnet (in-process @ton/sandbox behind its HTTP API) and the checks; child processes host the one test engine (zero think time), the ${run.proxies} ProxyRunners (one process), the ${run.workers} WorkerServices (${net.hosts.workers.length} processes of up to ${run.workersPerHost}) and the ${run.clients} InferenceClients (the client library, one process). Every service has its own key, wallet, contract and SQLite database (in memory: the disk is shared with other jobs and is not what this measures). Every worker is a real WorkerService: ${megabytes(workerRss / run.workers).toFixed(1)} MB RSS per worker after the traffic, the process's ${megabytes(net.setup.memory[net.hosts.workers[0].name]?.rssBytes ?? 0).toFixed(0)} MB included.`,
                `Worker i joins proxy i mod ${run.proxies}, client i uses proxy i mod ${run.proxies}; every client runs ${run.streamsPerClient} back-to-back streamed chats (max_tokens ${run.maxTokens}) for ${run.seconds} s. Thresholds: proxy charge ${run.chargeTon} TON, payout ${run.payoutTon} TON, worker self-payout ${run.workerPayoutTon} TON, save-state every ${run.saveStateSeconds} s, so money moves during the run; then POST /admin/settle on every proxy.`,
                `Checks: each client contract's tokens_used and balance moved by exactly its receipts' tokens and their price, each worker contract's tokens by exactly the receipts naming it, each proxy's earnings by its clients' tokens × (price − fee).`,
                ...(net.setup.restarts.length > 0 ? [`Service starts tried again (${net.setup.restarts.length}): ${net.setup.restarts.slice(0, 5).join('; ')}`] : []),
                ...(traffic.failed > 0 ? [`Failed requests: ${Object.entries(traffic.failures).map(([m, n]) => `${n}× ${m}`).join('; ')}`] : []),
                ...books.mismatches.slice(0, 10).map((m) => `MISMATCH ${m}`),
            ],
        };
    } finally {
        await net.stop();
    }
}
