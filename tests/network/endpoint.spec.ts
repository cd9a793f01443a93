import { Address, toNano } from '@ton/core';
import { requestFaucet } from '../../offchain/chain/faucet';
import { startNetwork, type LocalNetwork } from '../../offchain/cli/up/network';
import type { Devnet } from '../../offchain/devnet';
import { TestEngine } from '../../offchain/engine';
import { startTestDevnet } from '../devnet/helpers';

/**
 * `cocoon up --endpoint URL --engine-url URL --model NAME` as on testnet with a real engine: no faucet, so every wallet
 * is funded by hand after an ACTION REQUIRED line (here the test plays the operator), every key derives from
 * COCOON_UP_SEED instead of the public devnet keys, and the worker fronts the given engine (here another test engine
 * process would do; an in-process one serving another model stands in for vLLM).
 */
describe('cocoon up on an external chain', () => {
    let devnet: Devnet;
    let engine: TestEngine;
    let net: LocalNetwork | undefined;

    beforeAll(async () => {
        ({ devnet } = await startTestDevnet());
        engine = await TestEngine.start({ model: 'qwen-test' });
    });
    afterAll(async () => {
        await net?.stop();
        await engine.stop();
        await devnet.stop();
    });

    it('refuses to run without a seed', async () => {
        await expect(startNetwork({ endpoint: devnet.endpoint, clientPort: 0, progress: () => {}, logSink: () => {} })).rejects.toThrow(
            'a network on --endpoint needs COCOON_UP_SEED, a secret every wallet key derives from (the devnet keys are public)',
        );
    });

    it('asks for each wallet to be funded, waits, and then serves requests from the given engine', async () => {
        const asked: string[] = [];
        const progress = (line: string) => {
            const m = /^ACTION REQUIRED: send ([0-9.]+) TON to (.+) (\S+); waiting for it$/.exec(line);
            if (!m) return;
            asked.push(m[2]);
            void requestFaucet(devnet.endpoint, Address.parse(m[3]), toNano(m[1]));
        };
        net = await startNetwork({
            endpoint: devnet.endpoint,
            seed: 'endpoint-test-seed',
            engineUrl: engine.url,
            model: 'qwen-test@0123abcd:4567ef89',
            clientPort: 0,
            progress,
            logSink: () => {},
        });
        expect(asked).toEqual(['root owner wallet', 'proxy wallet', 'worker wallet', 'client wallet']);
        expect(net.devnet).toBeUndefined();
        expect(net.engine).toBeUndefined();
        expect(net.chainUrl).toBe(devnet.endpoint);
        const r = await net.client.client.chat.completions.create({ model: 'qwen-test', messages: [{ role: 'user', content: 'hello there' }], max_tokens: 3 });
        expect(r.choices[0].message.content!.split(' ')).toHaveLength(3);
        expect(engine.requests.map((q) => q.path)).toEqual(['/v1/chat/completions']);
        const models = await net.client.client.models.list();
        expect(models.data.map((m) => m.id)).toEqual(['qwen-test']);
    }, 120_000);
});
