import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { ProxyScoreboard } from '../../offchain/client/proxyFigures';
import { ClientStore } from '../../offchain/client/store';

describe("the client's per-proxy figures", () => {
    let dir: string;
    let store: ClientStore;
    let now = 5_000_000;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), 'cocoon-proxy-figures-'));
        store = new ClientStore(path.join(dir, 'client.db'));
    });
    afterEach(() => {
        store.close();
        rmSync(dir, { recursive: true, force: true });
    });
    const board = () => new ProxyScoreboard(store.db, 60_000, () => now);

    it('counts connects, requests, failures by kind and the p50 time to the head; the caller\'s own errors do not count', () => {
        const b = board();
        b.connected('a:1');
        b.connectFailed('a:1', 'connect');
        for (const ms of [10, 20, 30]) b.request('a:1', 'ok', ms);
        b.request('a:1', 'timeout', null);
        b.request('a:1', 'aborted', null);
        b.request('a:1', 'insufficient_credit', null);
        expect(b.figures('a:1')).toEqual({
            endpoint: 'a:1',
            connects: 1,
            connectFailures: 1,
            requests: 4,
            failures: { timeout: 1 },
            timeToHeadP50Ms: 20,
            // (3 + 1) / (4 + 1) × (1 + 1) / (2 + 1) × 1000 / 1020
            score: Math.round(10_000 * (4 / 5) * (2 / 3) * (1000 / 1020)),
        });
    });

    it('orders proxies best first, keeps them across a restart of the client, and forgets what left the window', () => {
        const b = board();
        b.request('bad:1', 'engine_error', null);
        b.request('bad:1', 'connection_error', null);
        b.request('slow:1', 'ok', 900);
        b.connectFailed('down:1', 'connect');
        expect(b.order(['bad:1', 'down:1', 'new:1', 'slow:1'])).toEqual(['new:1', 'slow:1', 'down:1', 'bad:1']);
        // a new scoreboard on the same database: what a restarted client sees
        expect(board().order(['bad:1', 'slow:1', 'new:1'])).toEqual(['new:1', 'slow:1', 'bad:1']);
        expect(board().all().map((f) => f.endpoint)).toEqual(['bad:1', 'down:1', 'slow:1']);
        now += 61_000;
        expect(board().all()).toEqual([]);
        expect(board().figures('bad:1').score).toBe(10_000);
    });
});
