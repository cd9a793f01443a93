import { proxyPage, type ProxyStatus, type WorkerReputation } from '../../offchain/proxy/statusPage';

const HOSTILE = '<script>alert(1)</script>';
const addr = (c: string) => `0:${c.repeat(64)}`;
const emptyOutbox = { counts: { queued: 0, sent: 0, confirmed: 0, failed: 0 }, pending: 0, recent: [], settlements: [] };

function worker(id: number, model: string) {
    return {
        id,
        contract: addr(String(id)),
        owner: addr('e'),
        model,
        coefficient: 1500,
        enabled: true,
        running: 1,
        maxActiveRequests: 4,
        stats: { durationMs: 1000, failure: 0, ttftMs: 0, requests: 12, successes: 9, failures: { engine_error: 2, timeout: 1 } },
    };
}

function status(workers: ProxyStatus['workers']): ProxyStatus {
    return {
        state: 'refusing',
        refusal: { code: 'rollback_detected', reason: `rollback detected ${HOSTILE}`, since: 0 },
        contract: addr('a'),
        wallet: addr('b'),
        owner: addr('c'),
        root: addr('d'),
        paramsVersion: 3,
        prices: { pricePerToken: '1000', workerFeePerToken: '800' },
        seqno: 7,
        confirmedSeqno: 6,
        runningRequests: 1,
        workers,
        workerAccounts: [],
        clients: [],
        outbox: [],
        outboxPending: 0,
        outboxSummary: emptyOutbox,
    };
}

describe('the proxy status page', () => {
    it('shows peer-supplied text as text, never as markup', () => {
        const page = proxyPage(status([worker(1, `${HOSTILE}@x`)]), []);
        expect(page).not.toContain('<script>');
        expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;@x');
        expect(page).toContain('rollback detected &lt;script&gt;');
    });

    it("shows each worker's counters, and its reputation figures when the proxy has them (a dash otherwise)", () => {
        const reputation: WorkerReputation = {
            score: 9312,
            requests: 40,
            successes: 38,
            failures: { timeout: 2 },
            ttftP50Ms: 120,
            tokensPerSecondP50: 55.5,
            windowSeconds: 600,
        };
        const page = proxyPage(status([{ ...worker(1, 'm@1'), reputation } as ProxyStatus['workers'][number], worker(2, 'm@2')]), []);
        const rows = [...page.matchAll(/<tr><td>(\d)<\/td>(.*?)<\/tr>/g)].map((m) => m[2].replace(/<[^>]+>/g, '|').replace(/\|+/g, '|'));
        expect(rows).toEqual([
            `|m@1|${addr('1')}|1500|enabled|1 / 4|12|9|engine_error 2, timeout 1|9312 / 10000|38 of 40 ok; failed: timeout 2 (last 600 s)|120|55.5|`,
            `|m@2|${addr('2')}|1500|enabled|1 / 4|12|9|engine_error 2, timeout 1|—|—|—|—|`,
        ]);
    });

    it('shows no field it was not written to show (a secret in the status stays off the page)', () => {
        const s = { ...status([]), adminToken: 'admin-token-1234', wallet: addr('b'), seed: 'f00d'.repeat(16) } as ProxyStatus;
        const page = proxyPage(s, []);
        expect(page).not.toContain('admin-token-1234');
        expect(page).not.toContain('f00d');
    });

    it('says it is starting before the service exists', () => {
        expect(proxyPage(null, [])).toContain('<dt>state</dt><dd>starting</dd>');
    });
});
