import type { AdjustedTokens } from '../protocol';
import { badge, code, contractStateName, facts, section, servicePage, table, time, ton, type BalanceRow, type OutboxView } from '../runtime';
import type { PaymentsStatus } from './payments';
import type { ProxyFigures } from './proxyFigures';

/** What the client's page reads from its status (InferenceClient.status()); nothing else reaches the page. */
export interface ClientPageStatus {
    connected: boolean;
    proxy: { endpoint: string; contract: string } | null;
    wallet: string;
    root: string;
    sessions: number;
    inFlight: number;
    payments: PaymentsStatus;
    /** The newest verified receipts, oldest first. */
    receipts: { requestId: string; at: number; tokens: AdjustedTokens; coefficient: number; cost: string; clientTotal: string }[];
    outboxSummary: OutboxView;
    proxies?: ProxyFigures[];
}

function proxiesSection(proxies: ProxyFigures[]) {
    const rows = proxies.map((p) => {
        const failures = Object.entries(p.failures).map(([k, n]) => `${k} ${n}`).join(', ') || '0';
        return [p.endpoint, p.connects, p.connectFailures, p.requests, failures, p.timeToHeadP50Ms, `${p.score} / 10000`];
    });
    const headers = ['Proxy endpoint', 'Connects', 'Connect failures', 'Requests', 'Failures', 'Time to head p50 (ms)', 'Score'];
    return section('Proxies seen', table(headers, rows, 'no proxy seen yet'));
}

/** The client's page: its proxy connection, the proxy's ledger of it, balances, recent receipts, settlements, outbox. */
export function clientPage(s: ClientPageStatus, balances: BalanceRow[]): string {
    const p = s.payments;
    const summary = facts([
        ['connection', badge(s.connected ? 'connected' : 'disconnected', s.connected)],
        ['proxy endpoint', s.proxy?.endpoint],
        ['proxy contract', code(s.proxy?.contract)],
        ['client contract', code(p.clientContract)],
        ['wallet', code(s.wallet)],
        ['root', code(s.root)],
        ['sessions since start', s.sessions],
        ['requests in flight', s.inFlight],
        ['price per token', ton(p.pricePerToken)],
    ]);
    const l = p.ledger;
    const ledger = facts([
        ['tokens', l?.tokensMax],
        ['committed (db)', l?.committedDb],
        ['committed (chain)', l?.committedChain],
        ['charged on-chain', l?.chargedOnChain],
        ['reserved', l?.reserved],
        ['available', l?.available],
        ['best signed charge held', p.bestCharge],
        ['signed charges rejected', p.rejectedCharges],
        ['contract state (last read)', contractStateName(p.contract?.state)],
    ]);
    const receipts = table(
        ['Time', 'Request', 'Prompt', 'Cached', 'Completion', 'Reasoning', 'Tokens', 'Coefficient', 'Cost', 'Client total'],
        [...s.receipts].reverse().map((r) => {
            const t = r.tokens;
            return [time(r.at * 1000), code(r.requestId), t.prompt, t.cached, t.completion, t.reasoning, t.total, r.coefficient, ton(r.cost), r.clientTotal];
        }),
        'no receipts yet',
    );
    const sections = [section("The proxy's ledger of this client (tokens)", ledger), section('Recent receipts', receipts)];
    if (s.proxies) sections.push(proxiesSection(s.proxies));
    return servicePage('COCOON client', summary, balances, sections, s.outboxSummary);
}
