import type { ClientLedger } from '../protocol';
import { badge, code, contractStateName, facts, section, servicePage, statusPage, table, time, ton, type BalanceRow, type OutboxView, type Value } from '../runtime';

/** A worker's figures over the proxy's reputation window (spec offchain.md "Reputation"). */
export interface WorkerReputation {
    /** 0..10000. */
    score: number;
    requests: number;
    successes: number;
    failures: Record<string, number>;
    ttftP50Ms: number | null;
    tokensPerSecondP50: number | null;
    windowSeconds: number;
}

type Counters = Pick<WorkerReputation, 'requests' | 'successes' | 'failures'>;

/** A connected worker as the status shows it: its counters, or its reputation figures where the proxy keeps those. */
export interface WorkerView {
    id: number;
    contract: string;
    model: string;
    coefficient: number;
    enabled: boolean;
    running: number;
    maxActiveRequests: number;
    stats?: Counters;
    reputation?: WorkerReputation | null;
}

/** What the proxy's page reads from its status (ProxyService.status()); nothing else reaches the page. */
export interface ProxyPageStatus {
    state: string;
    refusal: { reason: string } | null;
    contract: string;
    wallet: string;
    owner: string;
    root: string;
    paramsVersion: number;
    prices: { pricePerToken: string; workerFeePerToken: string };
    seqno: number;
    confirmedSeqno: number;
    runningRequests: number;
    workers: WorkerView[];
    /** Where the proxy publishes reputation snapshots on its contract. */
    reputation?: { windowSeconds: number; publishSeconds: number; lastPublished: { publishedAt: number; workers: number; outboxId: number } | null };
    workerAccounts: { contract: string; model: string; tokensMax: string; committedDb: string; committedChain: string; paidOnChain: string }[];
    /** Each client account: the ledger's counters as a client sees them, and its contract as the proxy last saw it. */
    clients: (Omit<ClientLedger, 'signedCharge'> & { contract: string; connected: boolean; balance: string | null; stake: string | null; contractState: number | null })[];
    outboxSummary: OutboxView;
}

/** `{timeout: 2, engine_error: 1}` as `timeout 2, engine_error 1`; none as 0. */
function failures(byKind: Record<string, number>): string {
    const kinds = Object.entries(byKind);
    return kinds.length === 0 ? '0' : kinds.map(([k, n]) => `${k} ${n}`).join(', ');
}

function workerRow(w: WorkerView): Value[] {
    const r = w.reputation;
    const c: Counters | undefined = r ?? w.stats;
    return [
        w.id,
        w.model,
        code(w.contract),
        w.coefficient,
        badge(w.enabled ? 'enabled' : 'disabled', w.enabled),
        `${w.running} / ${w.maxActiveRequests}`,
        c?.requests,
        c?.successes,
        c && failures(c.failures),
        r && `${r.score} / 10000`,
        r?.ttftP50Ms,
        r?.tokensPerSecondP50,
        r && `${r.windowSeconds} s`,
    ];
}

function lastSnapshot(r: NonNullable<ProxyPageStatus['reputation']>): string {
    const p = r.lastPublished;
    return p ? `${time(p.publishedAt * 1000)}, ${p.workers} workers (outbox #${p.outboxId})` : `none yet (every ${r.publishSeconds} s when changed)`;
}

/** The proxy's page: state, balances, connected workers with their reputation, the ledger's accounts, settlements, outbox. */
export function proxyPage(s: ProxyPageStatus | null, balances: BalanceRow[]): string {
    if (!s) return statusPage('COCOON proxy', [section('State', facts([['state', 'starting']]))]);
    const summary = facts([
        ['state', badge(s.state, s.state === 'serving')],
        ['refusal', s.refusal ? s.refusal.reason : null],
        ['proxy contract', code(s.contract)],
        ['wallet', code(s.wallet)],
        ['owner', code(s.owner)],
        ['root', code(s.root)],
        ['params version', s.paramsVersion],
        ['price per token', ton(s.prices.pricePerToken)],
        ['worker fee per token', ton(s.prices.workerFeePerToken)],
        ['save-state seqno (confirmed)', `${s.seqno} (${s.confirmedSeqno})`],
        ['running requests', s.runningRequests],
        ['connected workers', s.workers.length],
        ['connected clients', s.clients.filter((c) => c.connected).length],
        ...(s.reputation ? ([['last reputation snapshot', lastSnapshot(s.reputation)]] as [string, Value][]) : []),
    ]);
    const workers = table(
        ['#', 'Model', 'Worker contract', 'Coefficient', 'State', 'Running', 'Requests', 'Successes', 'Failures', 'Score', 'TTFT p50 (ms)', 'Tokens/s p50', 'Window'],
        s.workers.map(workerRow),
        'no worker connected',
    );
    const workerAccounts = table(
        ['Worker contract', 'Model', 'Tokens', 'Committed (db)', 'Committed (chain)', 'Paid on-chain'],
        s.workerAccounts.map((a) => [code(a.contract), a.model, a.tokensMax, a.committedDb, a.committedChain, a.paidOnChain]),
        'no worker accounts',
    );
    const clients = table(
        ['Client contract', 'Connected', 'Tokens', 'Committed (db)', 'Committed (chain)', 'Charged on-chain', 'Reserved', 'Available', 'Deposit (last seen)', 'Stake', 'Contract state'],
        s.clients.map((c) => [
            code(c.contract),
            c.connected ? 'yes' : 'no',
            c.tokensMax,
            c.committedDb,
            c.committedChain,
            c.chargedOnChain,
            c.reserved,
            c.available,
            ton(c.balance),
            ton(c.stake),
            contractStateName(c.contractState),
        ]),
        'no client accounts',
    );
    const sections = [section('Workers', workers), section('Worker accounts', workerAccounts), section('Clients', clients)];
    return servicePage('COCOON proxy', summary, balances, sections, s.outboxSummary);
}
