import { benchChainCost } from '../../scripts/bench/lib/chainCost';

/** A smoke run of `npm run bench:chaincost`: every figure is produced (the figures themselves are the benchmark's). */
describe('the chain cost benchmark', () => {
    it('counts the network flows per 1,000 requests, measures each flow beside COCOON, and states both targets', async () => {
        const s = await benchChainCost({ smoke: true, log: () => {} });
        const [network, flows] = s.table.split('\n\n').map((t) => t.split('\n').slice(2).map((row) => row.split('|').slice(1, -1).map((c) => c.trim())));
        expect(network.map((r) => r[0].replace(' (from its threshold)', ''))).toEqual(['save-state', 'charge', 'top-up', 'payout', '**all**']);
        for (const r of network) {
            for (const figure of r.slice(2)) expect(Number(figure.replace('%', ''))).toBeGreaterThan(0);
        }
        expect(flows.map((r) => r[0])).toEqual(['charge', 'top-up', 'payout', 'save-state', 'reputation snapshot (10 workers)']);
        for (const r of flows) {
            expect(Number(r[1])).toBeGreaterThan(0);
            expect(Number(r[2])).toBeGreaterThan(0);
        }
        for (const r of flows.slice(0, 3)) {
            for (const figure of [r[3], r[4].replace('×', ''), r[5], r[6], r[7].replace('×', '')]) expect(Number(figure)).toBeGreaterThan(0);
        }
        expect(s.targets.map((t) => [t.what, t.target])).toEqual([
            ['on-chain transactions per 1,000 requests', '≤ 1'],
            ['fees ÷ what the client paid', '< 0.1%'],
        ]);
        for (const t of s.targets) expect(Number(t.measured.replace('%', ''))).toBeGreaterThan(0);
        expect(s.notes.length).toBeGreaterThan(0);
    }, 180_000);
});
