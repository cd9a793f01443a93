import { badge, code, contractStateName, facts, html, section, servicePage, statusPage, table, ton, type BalanceRow, type Value } from '../runtime';
import type { ProxyService } from './proxyService';

export type ProxyStatus = ReturnType<ProxyService['status']>;

/** A worker's reputation as the proxy tracks it over a sliding window (spec "Reputation"). */
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

type WorkerView = ProxyStatus['workers'][number] & { reputation?: WorkerReputation | null };

/** `{timeout: 2, engine_error: 1}` as `timeout 2, engine_error 1`; none as 0. */
function failures(byKind: Record<string, number>): string {
    const kinds = Object.entries(byKind);
    return kinds.length === 0 ? '0' : kinds.map(([k, n]) => `${k} ${n}`).join(', ');
}

function workerRow(w: WorkerView): Value[] {
    const r = w.reputation;
    return [
        w.id,
        w.model,
        code(w.contract),
        w.coefficient,
        badge(w.enabled ? 'enabled' : 'disabled', w.enabled),
        `${w.running} / ${w.maxActiveRequests}`,
        w.stats.requests,
        w.stats.successes,
        failures(w.stats.failures),
        r ? `${r.score} / 10000` : null,
        r ? html`${r.successes} of ${r.requests} ok; failed: ${failures(r.failures)} (last ${r.windowSeconds} s)` : null,
        r?.ttftP50Ms ?? null,
        r?.tokensPerSecondP50 ?? null,
    ];
}

/** The proxy's page: state, balances, connected workers with their reputation, the ledger's accounts, settlements, outbox. */
export function proxyPage(s: ProxyStatus | null, balances: BalanceRow[]): string {
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
    ]);
    const workers = table(
        ['#', 'Model', 'Worker contract', 'Coefficient', 'State', 'Running', 'Requests', 'Successes', 'Failures', 'Score', 'Recent', 'TTFT p50 (ms)', 'Tokens/s p50'],
        (s.workers as WorkerView[]).map(workerRow),
        'no worker connected',
    );
    const workerAccounts = table(
        ['Worker contract', 'Model', 'Tokens', 'Committed (db)', 'Committed (chain)', 'Paid on-chain'],
        s.workerAccounts.map((a) => [code(a.contract), a.model, a.tokensMax, a.committedDb, a.committedChain, a.paidOnChain]),
        'no worker accounts',
    );
    const clients = table(
        ['Client contract', 'Connected', 'Tokens', 'Committed (db)', 'Committed (chain)', 'Charged on-chain', 'Reserved', 'Available', 'Deposit', 'Stake', 'Contract state'],
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
