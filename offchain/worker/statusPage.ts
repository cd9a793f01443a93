import { badge, code, facts, publicUrl, section, servicePage, table, type BalanceRow } from '../runtime';
import type { WorkerStatus } from './workerService';

/** The worker's page: engine and load, its proxy connections with what each owes it, balances, payouts, outbox. */
export function workerPage(s: WorkerStatus, balances: BalanceRow[]): string {
    const summary = facts([
        ['model', s.model],
        ['coefficient', s.coefficient],
        ['wallet', code(s.wallet)],
        ['root', code(s.root)],
        ['engine', publicUrl(s.engine.url)],
        ['engine health', badge(s.engine.healthy ? 'healthy' : 'unhealthy', s.engine.healthy)],
        ['active requests', `${s.activeRequests} / ${s.maxActiveRequests}`],
        ['proxies enabled', `${s.proxies.filter((p) => p.enabled).length} of ${s.proxies.length}`],
    ]);
    const connections = table(
        ['Proxy endpoint', 'Phase', 'Enabled', 'Proxy contract', 'Worker contract', 'Active requests', 'Last error'],
        s.proxies.map((p) => [
            p.endpoint,
            p.phase,
            badge(p.enabled ? 'yes' : 'no', p.enabled),
            code(p.proxyContract),
            code(p.workerContract),
            p.activeRequests,
            p.lastError,
        ]),
        'no proxy configured or registered',
    );
    const ledgers = table(
        ['Proxy contract', 'Tokens', 'Committed (db)', 'Committed (chain)', 'Paid on-chain (last seen)', 'Signed payout held'],
        s.proxies
            .filter((p) => p.ledger)
            .map((p) => [code(p.proxyContract), p.ledger!.tokensMax, p.ledger!.committedDb, p.ledger!.committedChain, p.ledger!.paidOnChain, p.ledger!.payoutTokens]),
        'no ledger yet',
    );
    const sections = [section('Proxy connections', connections), section('Earnings per proxy (tokens)', ledgers)];
    return servicePage('COCOON worker', summary, balances, sections, s.outboxSummary);
}
