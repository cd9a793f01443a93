import { fromNano, type Address } from '@ton/core';
import { createHash } from 'crypto';

/**
 * The building blocks of the services' read-only status pages (`GET /` on the ops port). Every value goes through
 * `escapeHtml` unless it is `Html`, which only these helpers make, so a value from a peer or the chain cannot become
 * markup. The page needs no script and loads nothing: its one style block is allowed by hash in the CSP.
 */

/** Markup that is safe to emit as is. */
export class Html {
    private constructor(readonly text: string) {}

    /** For the helpers of this module: `text` must already be escaped. */
    static trusted(text: string): Html {
        return new Html(text);
    }
}

export type Value = string | number | bigint | boolean | null | undefined | Html;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
    return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A missing value shows as a dash. */
export const DASH = '—';

function show(v: Value): string {
    if (v instanceof Html) return v.text;
    if (v === null || v === undefined) return DASH;
    return escapeHtml(String(v));
}

/** A template whose interpolated values are escaped (an `Html` value is kept; an array is joined). */
export function html(strings: TemplateStringsArray, ...values: (Value | Html[])[]): Html {
    let out = strings[0];
    values.forEach((v, i) => {
        out += (Array.isArray(v) ? v.map((h) => h.text).join('') : show(v)) + strings[i + 1];
    });
    return Html.trusted(out);
}

/** A value in monospace that wraps anywhere (addresses, hashes). */
export function code(v: Value): Html {
    return v === null || v === undefined ? Html.trusted(DASH) : html`<code>${v}</code>`;
}

/** nanoTON (bigint or decimal string) as TON with every significant digit, e.g. `1.5 TON`. */
export function ton(nano: bigint | string | null | undefined): string | null {
    if (nano === null || nano === undefined) return null;
    return `${fromNano(BigInt(nano))} TON`;
}

/** Unix milliseconds as an ISO time in UTC without the milliseconds. */
export function time(ms: number | null | undefined): string | null {
    return ms === null || ms === undefined ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A URL without what may hold credentials (user, password, query, fragment); unparsable text is withheld. */
export function publicUrl(url: string): string {
    try {
        const u = new URL(url);
        return `${u.origin}${u.pathname}`;
    } catch {
        return '(not a URL)';
    }
}

const CONTRACT_STATES = ['normal', 'closing', 'closed'];

/** A COCOON proxy, client or worker contract's state number (0, 1, 2) by name. */
export function contractStateName(n: number | null | undefined): string | null {
    return n === null || n === undefined ? null : (CONTRACT_STATES[n] ?? `state ${n}`);
}

export function table(headers: string[], rows: Value[][], empty = 'none'): Html {
    if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
    const head = headers.map((h) => html`<th>${h}</th>`);
    const body = rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`);
    return html`<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Name/value pairs as a definition list. */
export function facts(pairs: [string, Value][]): Html {
    return html`<dl>${pairs.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

export function section(title: string, ...body: Html[]): Html {
    return html`<section><h2>${title}</h2>${body}</section>`;
}

/** An account's TON balance and the contract's own figures (stake, earnings…), or why it could not be read. */
export interface BalanceRow {
    account: string;
    address: string;
    /** nanoTON on the account; null when unread. */
    balance: bigint | null;
    /** Contract figures beside the balance, already formatted (e.g. ["stake", "1 TON"]; null shows as a dash). */
    details: [string, string | null][];
    error: string | null;
}

/** Reads one balance row within `timeoutMs`; a failure or timeout becomes the row's error, never a failed page. */
export async function readBalance(
    account: string,
    address: string,
    read: () => Promise<{ balance: bigint; details?: [string, string | null][] }>,
    timeoutMs = 5000,
): Promise<BalanceRow> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from the chain within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
        const r = await Promise.race([read(), timeout]);
        return { account, address, balance: r.balance, details: r.details ?? [], error: null };
    } catch (e) {
        // a chain error names its endpoint, whose URL may carry an API key
        const message = (e instanceof Error ? e.message : String(e)).replace(/\bhttps?:\/\/[^\s'"]+/g, publicUrl);
        return { account, address, balance: null, details: [], error: message };
    } finally {
        clearTimeout(timer);
    }
}

/** What `accountBalance` needs of a chain client (offchain/chain's ChainClient). */
export interface AccountReader {
    getAccount(address: Address): Promise<{ balance: bigint; state: string }>;
}

/**
 * An account's row: its TON balance and, for a contract, `figures` once it is deployed (before, its state instead).
 * Like every row, within readBalance's time limit.
 */
export function accountBalance(chain: AccountReader, account: string, address: Address, figures?: () => Promise<[string, string | null][]>): Promise<BalanceRow> {
    return readBalance(account, address.toRawString(), async () => {
        const a = await chain.getAccount(address);
        if (!figures) return { balance: a.balance };
        if (a.state !== 'active') return { balance: a.balance, details: [['state', `not deployed (${a.state})`]] };
        return { balance: a.balance, details: await figures() };
    });
}

/**
 * `read`, but its result (or the read in flight) is reused for `ms` after it started: a page loaded again and again
 * reads the chain at most once per `ms`, so an exposed page cannot spend the service's chain API quota.
 */
export function reuseFor<T>(ms: number, read: () => Promise<T>): () => Promise<T> {
    let last: { at: number; value: Promise<T> } | null = null;
    return () => {
        if (!last || Date.now() - last.at >= ms) last = { at: Date.now(), value: read() };
        return last.value;
    };
}

/** How long the pages reuse the balances they read. */
export const BALANCES_REUSE_MS = 10_000;

export function balancesTable(rows: BalanceRow[]): Html {
    return table(
        ['Account', 'Address', 'TON on the account', 'Contract figures'],
        rows.map((r) => [
            r.account,
            code(r.address),
            r.error ? html`<span class="bad">unavailable: ${r.error}</span>` : ton(r.balance),
            r.details.length > 0 ? facts(r.details) : null,
        ]),
    );
}

/** The JSON view of outbox records a page shows (offchain/chain's OutboxItem). */
export interface OutboxItemView {
    intent: string;
    to: string;
    value: string;
    state: string;
    outcome: string | null;
    createdAt: number;
    walletTx: string | null;
    tx: string | null;
    exitCode: number | null;
    reason: string | null;
}

export interface OutboxView {
    counts: Record<string, number>;
    pending: number;
    recent: OutboxItemView[];
    settlements: OutboxItemView[];
}

function outboxRows(items: OutboxItemView[]): Value[][] {
    return items.map((r) => [time(r.createdAt), code(r.intent), ton(r.value), r.state, r.outcome, r.exitCode, code(r.walletTx), code(r.tx), r.reason]);
}

const OUTBOX_HEADERS = ['Created', 'Intent', 'Value', 'State', 'Outcome', 'Exit code', 'Wallet tx', 'Destination tx', 'Reason'];

/** The outbox's counts by state and its newest messages. */
export function outboxSection(o: OutboxView): Html {
    const counts = Object.entries(o.counts).map(([state, n]): [string, Value] => [state, n]);
    return section('Outbox', facts([...counts, ['pending', o.pending]]), table(OUTBOX_HEADERS, outboxRows(o.recent), 'no messages yet'));
}

/** The newest settlement messages (charges, payouts…) with their transaction hashes. */
export function settlementsSection(items: OutboxItemView[]): Html {
    return section('Recent settlements', table(OUTBOX_HEADERS, outboxRows(items), 'no settlements yet'));
}

/** A service's page: its state, its balances, its own sections, then its recent settlements and its outbox. */
export function servicePage(title: string, state: Html, balances: BalanceRow[], sections: Html[], outbox: OutboxView): string {
    return statusPage(title, [
        section('State', state),
        section('Balances', balancesTable(balances)),
        ...sections,
        settlementsSection(outbox.settlements),
        outboxSection(outbox),
    ]);
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #111; background: #fff; }
h1 { font-size: 1.4em; margin: 0 0 .2em; }
h2 { font-size: 1.1em; margin: 1.4em 0 .4em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .3em 0; }
th, td { border: 1px solid #ddd; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
code { font: 12px ui-monospace, monospace; word-break: break-all; }
dl { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; margin: .3em 0; }
dt { color: #555; } dd { margin: 0; }
.empty { color: #777; } .bad { color: #b00; font-weight: bold; } .ok { color: #070; font-weight: bold; }
nav { color: #555; margin-bottom: 1em; }
`;

/**
 * Nothing may load or run; the one inline style block is allowed by its hash. Sent with the page, so a value that
 * slipped through escaping still could not execute or leak data.
 */
export const STATUS_PAGE_CSP = [
    "default-src 'none'",
    `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
].join('; ');

export const STATUS_PAGE_HEADERS: Record<string, string> = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': STATUS_PAGE_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
};

/** A state word in green when good, red otherwise. */
export function badge(text: string, good: boolean): Html {
    return html`<span class="${good ? 'ok' : 'bad'}">${text}</span>`;
}

/** The whole document: a title, when it was made, links to refresh and to the JSON, then the sections. */
export function statusPage(title: string, sections: Html[], now = Date.now()): string {
    return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${title}</title><style>${Html.trusted(STYLE)}</style></head>
<body><h1>${title}</h1><nav>Read-only. Generated ${time(now)} · <a href="/">Refresh</a> · <a href="/status">JSON</a> · <a href="/metrics">Metrics</a></nav>
${sections}
</body></html>
`.text;
}
