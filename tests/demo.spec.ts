// `npm start` runs scripts/demo.ts: the same main function, in-process, with its key figures asserted exactly.
// Contract balances do not depend on gas: every contract reserves exact amounts and the clock stands still.
import { toNano } from '@ton/core';
import { Blockchain } from '@ton/sandbox';
import { main, DemoRun } from '../scripts/demo';
import { summarize } from '../scripts/demo/summary';
import { compiledCode, demoParams } from '../scripts/demo/cycle';
import { DemoError, expectAllSucceeded } from '../scripts/demo/ledger';
import { addHashBody, rootFromInit } from '../wrappers/root';

describe('npm start demo', () => {
    let run: DemoRun;
    const lines: string[] = [];

    beforeAll(async () => {
        run = await main((line) => lines.push(line));
    });

    const step = (i: number) => run.result.steps[i];
    const ton = (i: number, name: string) => step(i).balances.get(name);
    const transfers = (i: number, kind: string) => step(i).transfers.filter((t) => t.kind === kind).map((t) => [t.from, t.to, t.value]);

    it('succeeds, with every check of the summary holding', () => {
        expect(run.exitCode).toBe(0);
        expect(run.summary.checks.map((c) => [c.label, c.ok])).toEqual([
            ['TON is conserved: all balances fell by exactly the fees', true],
            ['the client was charged tokens × price', true],
            ['the charge was split between worker and proxy', true],
            ['the proxy contract still holds everything it owes', true],
        ]);
        expect(lines.filter((l) => l.startsWith('== ')).map((l) => l.slice(3))).toEqual([
            '1. Deploy the root registry',
            '2. Deploy the proxy contract with its stake',
            '3. Deploy and register the client and worker contracts',
            '4. Client deposit',
            '5. Proxy-signed charge',
            '6. Proxy-signed worker payout',
            '7. Proxy withdraws its earnings',
            'Summary',
        ]);
        expect(lines.some((l) => l.includes('FAILED') || l.startsWith('demo failed'))).toBe(false);
    });

    it('fills the registry', () => {
        expect(run.result.registry).toEqual({ proxyHashes: 1, workerHashes: 1, modelHashes: 1, proxies: ['127.0.0.1:8801 127.0.0.1:8802'] });
    });

    it('deploys the proxy contract with a 2 TON stake', () => {
        expect(ton(1, 'proxy contract')).toBe(toNano('2.01'));
        expect([step(1).proxy!.stake, step(1).proxy!.balance, step(1).proxy!.stakeCovered]).toEqual([toNano('2'), 0n, true]);
    });

    it('deploys and registers client and worker contracts that keep 0.11 TON each', () => {
        expect([ton(2, 'client contract'), ton(2, 'worker contract'), ton(2, 'proxy contract')]).toEqual([toNano('0.11'), toNano('0.11'), toNano('2.01') + 2n]);
        expect([step(2).client!.balance, step(2).client!.stake, step(2).worker!.tokens]).toEqual([0n, toNano('1'), 0n]);
        expect(transfers(2, 'client → proxy request')).toEqual([['client contract', 'proxy contract', 1n]]);
        expect(transfers(2, 'worker → proxy request')).toEqual([['worker contract', 'proxy contract', 1n]]);
    });

    it('moves the 10 TON deposit to the proxy contract', () => {
        expect([ton(3, 'proxy contract'), ton(3, 'client contract'), step(3).client!.balance]).toEqual([toNano('12.01') + 2n, toNano('0.11'), toNano('10')]);
    });

    it('charges 1,500,000 tokens at 1000 nanoTON', () => {
        expect([step(4).client!.balance, step(4).client!.tokensUsed, ton(4, 'proxy contract')]).toEqual([toNano('8.5'), 1_500_000n, toNano('12.01') + 3n]);
    });

    it('pays the worker owner 1.2 TON and credits 0.3 TON to the proxy', () => {
        expect(transfers(5, 'payout')).toEqual([['proxy contract', 'worker owner', toNano('1.2')]]);
        expect([step(5).proxy!.balance, step(5).worker!.tokens, ton(5, 'proxy contract')]).toEqual([toNano('0.3'), 1_500_000n, toNano('10.81') + 3n]);
    });

    it('pays the 0.3 TON of earnings to the operator, not to the caller', () => {
        expect(transfers(6, 'payout')).toEqual([['proxy contract', 'proxy operator', toNano('0.3')]]);
        expect([step(6).proxy!.balance, ton(6, 'proxy contract')]).toEqual([0n, toNano('10.51') + 3n]);
        expect([run.summary.charged, run.summary.workerPaid, run.summary.operatorPaid]).toEqual([toNano('1.5'), toNano('1.2'), toNano('0.3')]);
    });

    it('adds the fees up to exactly what all balances lost', () => {
        const total = (m: Map<string, bigint>) => [...m.values()].reduce((a, b) => a + b, 0n);
        expect(run.summary.totalFees).toBe(total(run.result.initial) - total(step(6).balances));
        expect(run.summary.totalFees).toBe(run.result.steps.reduce((a, s) => a + [...s.feesBy.values()].reduce((x, y) => x + y, 0n), 0n));
    });

    it('reports a check that fails', () => {
        // The client contract reported 8 TON left instead of 8.5.
        const steps = [...run.result.steps];
        steps[6] = { ...steps[6], client: { ...step(4).client!, balance: toNano('8') } };
        const checks = summarize({ ...run.result, steps }).checks;
        expect(checks.filter((c) => !c.ok).map((c) => c.label)).toEqual(['the client was charged tokens × price', 'the charge was split between worker and proxy']);
    });
});

describe('npm start demo failures', () => {
    it('names the step, the account and the exit code of a failed transaction', async () => {
        const blockchain = await Blockchain.create();
        const owner = await blockchain.treasury('owner');
        const stranger = await blockchain.treasury('stranger');
        const root = blockchain.openContract(await rootFromInit(owner.address, demoParams()));
        await owner.send({ to: root.address, value: toNano('1'), init: root.init, bounce: false });
        const r = await stranger.send({ to: root.address, value: toNano('0.1'), body: addHashBody('model', 1n) });
        const accounts = [{ name: 'root contract', address: root.address }];
        expect(() => expectAllSucceeded('Add a hash', r.transactions, accounts)).toThrow(DemoError);
        expect(() => expectAllSucceeded('Add a hash', r.transactions, accounts)).toThrow('Add a hash: the transaction on root contract failed (exit code 1010)');
    });

    it('asks for a build when the compiled contracts are missing', () => {
        expect(() => compiledCode('CocoonProxy', '/nonexistent')).toThrow(
            new DemoError('/nonexistent/CocoonProxy.compiled.json is missing: build the contracts first (npx blueprint build --all)'),
        );
    });
});
