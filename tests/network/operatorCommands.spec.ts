import { Address, fromNano, toNano } from '@ton/core';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { WalletContractV4 } from '@ton/ton';
import { devnetKey, devnetSeed } from '../../offchain/chain/cocoon/keys';
import { readClientContract } from '../../offchain/chain/cocoon/contracts';
import { startNetwork, type LocalNetwork } from '../../offchain/cli/up/network';
import { FAKE_IMAGE_HASH } from '../../offchain/ratls';
import { cocoon } from '../cli/run';

/** The operator commands as child processes against a running local network. */
describe('cocoon registry, wallet and client-contract', () => {
    let net: LocalNetwork;
    let dir: string;
    let config: string;

    beforeAll(async () => {
        net = await startNetwork({ clientPort: 0, progress: () => {}, logSink: () => {} });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cocoon-cli-'));
        config = path.join(dir, 'client.json');
        // the human owner `cocoon up` gives the client's wallet
        const owner = WalletContractV4.create({ workchain: 0, publicKey: devnetKey('up-client-owner').publicKey }).address;
        fs.writeFileSync(
            config,
            JSON.stringify({
                root: net.root.toString(),
                chain: { endpoints: [{ url: net.chainUrl }] },
                wallet: { seed: 'env:TEST_CLIENT_SEED', owner: owner.toString() },
            }),
        );
    }, 120_000);
    afterAll(async () => {
        await net?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it('registry prints the root: hashes, model and the registered proxy', async () => {
        const r = await cocoon(['registry', '--endpoint', net.chainUrl, '--root', net.root.toString()]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toContain(`root ${net.root.toString()}`);
        expect(r.stdout).toContain('  price 1000 nanoTON per token, worker fee 800 nanoTON per token');
        expect(r.stdout).toMatch(new RegExp(`proxy image hashes \\(1\\)\\n  ${FAKE_IMAGE_HASH}\\n`));
        expect(r.stdout).toMatch(/registered proxies \(1\)\n {2}#1 127\.0\.0\.1:\d+ 127\.0\.0\.1:\d+/);
        const json = JSON.parse((await cocoon(['registry', '--endpoint', net.chainUrl, '--root', net.root.toString(), '--json'])).stdout);
        expect(json).toMatchObject({ version: 4, workerHashes: [FAKE_IMAGE_HASH], params: { pricePerToken: '1000', workerFeePerToken: '800' } });
    });

    it('reputation prints nothing published at first, then the snapshot the proxy published after a request', async () => {
        const proxy = net.proxyContract.toString();
        const none = await cocoon(['reputation', proxy, '--endpoint', net.chainUrl]);
        expect([none.code, none.stderr, none.stdout]).toEqual([0, '', `proxy ${proxy} has published no reputation snapshot yet\n`]);

        await net.client.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 });
        const record = net.proxy.publishReputation()!;
        const deadline = Date.now() + 30_000;
        while (net.proxy.status().outbox.find((o) => o.id === record.id)?.outcome !== 'delivered') {
            if (Date.now() > deadline) throw new Error('the snapshot was not delivered');
            await new Promise((r) => setTimeout(r, 200));
        }
        const figures = net.proxy.status().workers[0].reputation;
        expect(figures).toMatchObject({ requests: 1, successes: 1, failures: {} });

        const r = await cocoon(['reputation', proxy, '--endpoint', net.chainUrl]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const lines = r.stdout.trimEnd().split('\n');
        expect(lines[0]).toMatch(new RegExp(`^reputation published by proxy ${proxy.replace(/[-_]/g, '.')} at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC, over the last 3600 s: 1 worker$`));
        expect(lines[1].split(/\s{2,}/)).toEqual(['worker contract', 'requests', 'failures', 'ttft p50 ms', 'tokens/s p50', 'score']);
        expect(lines[2].split(/\s+/)).toEqual([
            net.workerContract.toRawString(),
            '1',
            '0',
            String(Math.round(figures.ttftP50Ms!)),
            (Math.round(figures.tokensPerSecondP50! * 100) / 100).toFixed(2),
            String(figures.score),
        ]);
        expect(lines).toHaveLength(3);
        const json = JSON.parse((await cocoon(['reputation', proxy, '--endpoint', net.chainUrl, '--json'])).stdout);
        expect(json.workers).toEqual([{ worker: net.workerContract.toRawString(), requests: 1, failures: 0, ttftP50Ms: Math.round(figures.ttftP50Ms!), tokensPerSecondP50x100: Math.round(figures.tokensPerSecondP50! * 100), score: figures.score }]);

        const notAProxy = await cocoon(['reputation', `0:${'1'.repeat(64)}`, '--endpoint', net.chainUrl]);
        expect([notAProxy.code, notAProxy.stdout]).toEqual([2, '']); // docs/cli.md: no contract at the given address is bad input
        expect(notAProxy.stderr).toBe(`cocoon: no contract is deployed at ${Address.parse(`0:${'1'.repeat(64)}`).toString()}\n`);
    });

    it('wallet shows the client wallet with its balance and seqno', async () => {
        const env = { TEST_CLIENT_SEED: devnetSeed('up-client').toString('hex') };
        const r = await cocoon(['wallet', '--config', config, '--role', 'client', '--json'], { env });
        expect(r.stderr).toBe('');
        const w = JSON.parse(r.stdout);
        const expected = (net.client.client.status() as { wallet: string }).wallet;
        expect(w.address).toBe(expected);
        expect(w).toMatchObject({ state: 'active', blocked: false, minimum: '2' });
        expect(w.seqno).toBeGreaterThan(0);
        expect(w.balance).toBe(fromNano(await net.chain.getBalance(Address.parse(expected))));
    });

    it('client-contract shows the status and tops up by exactly the amount', async () => {
        const env = { TEST_CLIENT_SEED: devnetSeed('up-client').toString('hex') };
        const args = ['--config', config, '--proxy', net.proxyContract.toString()];
        const before = await readClientContract(net.chain, net.clientContract);
        const status = JSON.parse((await cocoon(['client-contract', 'status', ...args, '--json'], { env })).stdout);
        expect(status).toEqual({
            address: net.clientContract.toString(),
            deployed: true,
            state: 'normal',
            balance: fromNano(before.balance),
            stake: '1',
            tokensUsed: before.tokensUsed.toString(),
            unlockTs: 0,
        });
        const r = await cocoon(['client-contract', 'top-up', '1.5', ...args], { env });
        expect(r.stderr).toBe('');
        expect(r.stdout).toMatch(new RegExp(`^top-up done: transaction [0-9a-f]{64} on ${net.clientContract.toString()}\n$`));
        expect((await readClientContract(net.chain, net.clientContract)).balance).toBe(before.balance + toNano('1.5'));
        const bad = await cocoon(['client-contract', 'top-up', '1.5.0', ...args], { env });
        expect(bad.stderr).toBe('cocoon: amount "1.5.0" is not a TON amount like 1.5\n');
        expect(bad.code).toBe(2);
    });
});
