import fs from 'fs';
import os from 'os';
import path from 'path';
import { readClientContract, readWorkerContract } from '../../offchain/chain/cocoon/contracts';
import { LOCAL_PRICES, startNetwork, type LocalNetwork } from '../../offchain/cli/up/network';

/**
 * `cocoon up --state DIR`: the chain, the root, the contracts and every database survive a restart. Along the way the
 * worker collects its pay itself, with the signed payout the proxy pushes as soon as a save-state confirms the usage.
 */
describe('the network restarted from its state folder', () => {
    let dir: string;
    let net: LocalNetwork | undefined;

    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cocoon-up-state-'));
    });
    afterAll(async () => {
        await net?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const logs: string[] = [];
    // the proxy settles at COCOON's thresholds (1 and 10 TON: not in this test); the worker collects its own pay at once
    const start = () =>
        startNetwork({ clientPort: 0, stateDir: dir, progress: () => {}, logSink: (l) => logs.push(l), saveStateSeconds: 2, workerPayoutThresholdTon: 0.000001 });
    const ask = (n: LocalNetwork, content: string) =>
        n.client.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content }], max_tokens: 5 });

    it('keeps addresses, counters and receipts, and settles both sessions together', async () => {
        net = await start();
        const first = { root: net.root.toString(), proxy: net.proxyContract.toString(), client: net.clientContract.toString(), worker: net.workerContract.toString() };
        await ask(net, 'first session');
        const deposit = (await readClientContract(net.chain, net.clientContract)).balance;
        // once the proxy's save-state confirms the 7 tokens, it pushes the signed payout and the worker submits it
        const workerSettled = () => logs.filter((l) => l.includes('"component":"worker"') && l.includes('"msg":"payout settled"'));
        const deadline = Date.now() + 30_000;
        while (workerSettled().length === 0) {
            if (Date.now() > deadline) throw new Error('the worker did not collect its pay by itself');
            await new Promise((r) => setTimeout(r, 250));
        }
        expect(workerSettled()).toHaveLength(1);
        expect((await readWorkerContract(net.chain, net.workerContract)).tokens).toBe(7n);
        expect(logs.some((l) => l.includes('"msg":"payout settled on-chain"'))).toBe(false);
        await net.stop();
        net = undefined;
        expect(fs.readdirSync(dir).sort()).toEqual(expect.arrayContaining(['chain.db', 'client.db', 'ports.json', 'proxy.db', 'worker.db']));

        net = await start();
        expect({ root: net.root.toString(), proxy: net.proxyContract.toString(), client: net.clientContract.toString(), worker: net.workerContract.toString() }).toEqual(first);
        await ask(net, 'second session here');
        const receipts = net.client.client.receipts();
        expect(receipts).toHaveLength(2);
        const total = BigInt(receipts[0].tokens.total) + BigInt(receipts[1].tokens.total);
        // 2 + 5 tokens, then 3 + 5: the proxy's running total went on from its database
        expect(receipts.map((r) => r.clientTotal)).toEqual(['7', '15']);
        await net.proxy.settle();
        const client = await readClientContract(net.chain, net.clientContract);
        expect(client.tokensUsed).toBe(total);
        expect(client.balance).toBe(deposit - total * LOCAL_PRICES.pricePerToken);
        expect((await readWorkerContract(net.chain, net.workerContract)).tokens).toBe(total);
    }, 120_000);
});
