import { benchTopology } from '../../scripts/bench/lib/topology';

/** A smoke run of `npm run bench:topology` with a small topology: still fully settled and checked to the nanoTON. */
describe('the topology benchmark', () => {
    it('runs 2 proxies, 4 workers and 3 clients, settles them and passes every check', async () => {
        const section = await benchTopology({ smoke: true, log: () => {} });
        expect(section.targets).toHaveLength(1);
        expect(section.targets[0]).toMatchObject({ target: 'all', met: true });
        // 3 per client (its contract, tokens, balance), 1 per worker and proxy, 1 per worker the receipts name
        expect(section.targets[0].measured).toMatch(/^(1[6-9]) of \1$/);
        const rows = section.table.split('\n').slice(2);
        const cell = (name: string) => rows.find((r) => r.startsWith(`| ${name} |`))?.split(' | ')[1];
        expect(cell('proxies / workers / clients')).toBe('2 / 4 / 3');
        for (const name of ['requests/s', 'tokens charged', 'on-chain transactions in set-up', 'settle (s)']) expect(Number(cell(name))).toBeGreaterThan(0);
        expect(cell('fees, traffic + settle (TON)')).toMatch(/^0\.\d{4}$/);
        expect(cell('checks to the nanoTON')).toBe(`${section.targets[0].measured} passed`);
    }, 60_000);
});
