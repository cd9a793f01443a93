import { createHash } from 'crypto';
import { Address } from '@ton/core';
import {
    accountBalance,
    balancesTable,
    code,
    contractStateName,
    escapeHtml,
    facts,
    html,
    outboxSection,
    publicUrl,
    readBalance,
    reuseFor,
    STATUS_PAGE_CSP,
    statusPage,
    table,
    time,
    ton,
} from '../../offchain/runtime';

const HOSTILE = `<script>alert("x")</script><img src=x onerror='y'>&`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt;&amp;';

describe('status page building blocks', () => {
    it('escapes every interpolated value and keeps markup made by the helpers', () => {
        expect(escapeHtml(HOSTILE)).toBe(ESCAPED);
        expect(html`<p>${HOSTILE}</p>`.text).toBe(`<p>${ESCAPED}</p>`);
        expect(html`<p>${code(HOSTILE)}</p>`.text).toBe(`<p><code>${ESCAPED}</code></p>`);
        expect(html`${[html`<b>${'a&b'}</b>`, html`<i>${1n}</i>`]}`.text).toBe('<b>a&amp;b</b><i>1</i>');
    });

    it('shows a missing value as a dash', () => {
        expect(html`${null}|${undefined}|${code(null)}|${0}|${false}`.text).toBe('—|—|—|0|false');
    });

    it('renders tables with escaped headers and cells, or a note when empty', () => {
        expect(table(['a<b', 'c'], [[HOSTILE, 7n]]).text).toBe(
            `<table><thead><tr><th>a&lt;b</th><th>c</th></tr></thead><tbody><tr><td>${ESCAPED}</td><td>7</td></tr></tbody></table>`,
        );
        expect(table(['a'], [], 'no <rows>').text).toBe('<p class="empty">no &lt;rows&gt;</p>');
        expect(facts([['k&', HOSTILE]]).text).toBe(`<dl><dt>k&amp;</dt><dd>${ESCAPED}</dd></dl>`);
    });

    it('formats TON amounts to the nanoTON, times in UTC and contract states by name', () => {
        expect(ton(1_500_000_000n)).toBe('1.5 TON');
        expect(ton('1')).toBe('0.000000001 TON');
        expect(ton(29_812_345_678n)).toBe('29.812345678 TON');
        expect(ton(null)).toBeNull();
        expect(time(Date.UTC(2026, 11, 7, 13, 5, 9, 321))).toBe('2026-12-07T13:05:09Z');
        expect([0, 1, 2, 7, null].map(contractStateName)).toEqual(['normal', 'closing', 'closed', 'state 7', null]);
    });

    it('drops what may hold credentials from a URL', () => {
        expect(publicUrl('http://user:pass@10.0.0.5:8000/v1?api_key=k#f')).toBe('http://10.0.0.5:8000/v1');
        expect(publicUrl('not a url with a token')).toBe('(not a URL)');
    });

    it('reads a balance, or says why it could not within the time allowed', async () => {
        await expect(readBalance('wallet', '0:ab', async () => ({ balance: 5n, details: [['stake', '1 TON']] }))).resolves.toEqual({
            account: 'wallet',
            address: '0:ab',
            balance: 5n,
            details: [['stake', '1 TON']],
            error: null,
        });
        await expect(readBalance('wallet', '0:ab', () => Promise.reject(new Error('chain down')))).resolves.toMatchObject({ balance: null, error: 'chain down' });
        const failing = () => Promise.reject(new Error("getAddressInformation at 'https://u:p@ton.example/api/v2/jsonRPC?api_key=K1': HTTP 502"));
        await expect(readBalance('wallet', '0:ab', failing)).resolves.toMatchObject({
            error: "getAddressInformation at 'https://ton.example/api/v2/jsonRPC': HTTP 502",
        });
        await expect(readBalance('wallet', '0:ab', () => new Promise(() => {}), 50)).resolves.toMatchObject({
            balance: null,
            error: 'no answer from the chain within 0.05 s',
        });
        const rendered = balancesTable([
            { account: 'wallet', address: '0:ab', balance: 2_000_000_001n, details: [], error: null },
            { account: 'contract', address: '0:cd', balance: null, details: [], error: HOSTILE },
        ]).text;
        expect(rendered).toContain('<td>2.000000001 TON</td>');
        expect(rendered).toContain(`<span class="bad">unavailable: ${ESCAPED}</span>`);
    });

    it("reads a contract's figures only once it is deployed", async () => {
        const address = Address.parse('0:' + 'ab'.repeat(32));
        const chain = (state: string) => ({ getAccount: async () => ({ balance: 110_000_000n, state }) });
        const figures = jest.fn(async (): Promise<[string, string | null][]> => [['stake', '1 TON']]);
        await expect(accountBalance(chain('uninitialized'), 'client contract', address, figures)).resolves.toEqual({
            account: 'client contract',
            address: address.toRawString(),
            balance: 110_000_000n,
            details: [['state', 'not deployed (uninitialized)']],
            error: null,
        });
        expect(figures).not.toHaveBeenCalled();
        await expect(accountBalance(chain('active'), 'client contract', address, figures)).resolves.toMatchObject({ details: [['stake', '1 TON']] });
        await expect(accountBalance(chain('active'), 'wallet', address)).resolves.toMatchObject({ balance: 110_000_000n, details: [] });
    });

    it('reuses a read (or the one in flight) for the given time, however often it is asked for', async () => {
        let reads = 0;
        let now = 1000;
        const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
        try {
            const read = reuseFor(10_000, async () => ++reads);
            expect(await Promise.all([read(), read()])).toEqual([1, 1]);
            now += 9_999;
            expect(await read()).toBe(1);
            now += 1;
            expect(await read()).toBe(2);
            expect(reads).toBe(2);
        } finally {
            clock.mockRestore();
        }
    });

    it('shows outbox counts by state and the newest messages with their hashes', () => {
        const item = {
            intent: 'charge:0:ab:10',
            to: '0:ab',
            value: '200000000',
            state: 'confirmed',
            outcome: 'delivered',
            createdAt: 0,
            walletTx: 'aa11',
            tx: 'bb22',
            exitCode: 0,
            reason: null,
        };
        const text = outboxSection({ counts: { queued: 1, sent: 0, confirmed: 3, failed: 2 }, pending: 1, recent: [item], settlements: [] }).text;
        const counts = [['queued', 1], ['sent', 0], ['confirmed', 3], ['failed', 2], ['pending', 1]];
        expect(text).toContain(counts.map(([k, n]) => `<dt>${k}</dt><dd>${n}</dd>`).join(''));
        const cells = ['1970-01-01T00:00:00Z', '<code>charge:0:ab:10</code>', '0.2 TON', 'confirmed', 'delivered', '0', '<code>aa11</code>', '<code>bb22</code>', '—'];
        expect(text).toContain(`<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`);
    });

    it('makes a whole document whose one style block the CSP allows by hash, and nothing else', () => {
        const page = statusPage('T <1>', [html`<p>${HOSTILE}</p>`], Date.UTC(2026, 0, 2));
        expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
        expect(page).toContain('<title>T &lt;1&gt;</title>');
        expect(page).toContain('Generated 2026-01-02T00:00:00Z');
        expect(page).not.toContain('<script');
        const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1];
        const hash = createHash('sha256').update(style).digest('base64');
        expect(STATUS_PAGE_CSP).toBe(
            `default-src 'none'; style-src 'sha256-${hash}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        );
    });
});
