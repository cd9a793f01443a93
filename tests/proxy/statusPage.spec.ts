import { proxyPage, type ProxyPageStatus, type WorkerReputation, type WorkerView } from '../../offchain/proxy/statusPage';

const HOSTILE = '<script>alert(1)</script>';
const addr = (c: string) => `0:${c.repeat(64)}`;
const emptyOutbox = { counts: { queued: 0, sent: 0, confirmed: 0, failed: 0 }, pending: 0, recent: [], settlements: [] };

function worker(id: number, model: string): WorkerView {
    return {
        id,
        contract: addr(String(id)),
        model,
        coefficient: 1500,
        enabled: true,
        running: 1,
        maxActiveRequests: 4,
        stats: { requests: 12, successes: 9, failures: { engine_error: 2, timeout: 1 } },
    };
}

function status(workers: WorkerView[]): ProxyPageStatus {
    return {
        state: 'refusing',
        refusal: { reason: `rollback detected ${HOSTILE}` },
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

    it("shows each worker's reputation figures over the window when the proxy keeps them, else its counters and dashes", () => {
        const reputation: WorkerReputation = {
            score: 9312,
            requests: 40,
            successes: 38,
            failures: { timeout: 2 },
            ttftP50Ms: 120,
            tokensPerSecondP50: 55.5,
            windowSeconds: 3600,
        };
        const page = proxyPage(status([{ ...worker(1, 'm@1'), stats: undefined, reputation }, worker(2, 'm@2')]), []);
        const rows = [...page.matchAll(/<tr><td>(\d)<\/td>(.*?)<\/tr>/g)].map((m) => m[2].replace(/<[^>]+>/g, '|').replace(/\|+/g, '|'));
        expect(rows).toEqual([
            `|m@1|${addr('1')}|1500|enabled|1 / 4|40|38|timeout 2|9312 / 10000|120|55.5|3600 s|`,
            `|m@2|${addr('2')}|1500|enabled|1 / 4|12|9|engine_error 2, timeout 1|—|—|—|—|`,
        ]);
    });

    it('says when the last reputation snapshot was published, where the proxy publishes them', () => {
        const publishing = { windowSeconds: 3600, publishSeconds: 21_600 };
        const none = proxyPage({ ...status([]), reputation: { ...publishing, lastPublished: null } }, []);
        expect(none).toContain('<dt>last reputation snapshot</dt><dd>none yet (every 21600 s when changed)</dd>');
        const last = { publishedAt: Date.UTC(2026, 11, 7, 12) / 1000, workers: 3, outboxId: 42 };
        const published = proxyPage({ ...status([]), reputation: { ...publishing, lastPublished: last } }, []);
        expect(published).toContain('<dt>last reputation snapshot</dt><dd>2026-12-07T12:00:00Z, 3 workers (outbox #42)</dd>');
        expect(proxyPage(status([]), [])).not.toContain('reputation snapshot');
    });

    it('shows no field it was not written to show (a secret in the status stays off the page)', () => {
        const s = { ...status([]), adminToken: 'admin-token-1234', seed: 'f00d'.repeat(16) };
        const page = proxyPage(s, []);
        expect(page).not.toContain('admin-token-1234');
        expect(page).not.toContain('f00d');
    });

    it('says it is starting before the service exists', () => {
        expect(proxyPage(null, [])).toContain('<dt>state</dt><dd>starting</dd>');
    });
});
