import { Address, toNano } from '@ton/core';
import { ChainClient } from '../../offchain/chain/client';
import { RegistryError, RegistryReader, RootChange } from '../../offchain/chain/cocoon';
import { Devnet } from '../../offchain/devnet';
import { changePriceBody, rootFromInit } from '../../wrappers/root';
import { startTestDevnet } from '../devnet/helpers';
import { devnetParams, expectDelivered, fundedSender } from './cocoonFixture';

describe('RegistryReader', () => {
    let devnet: Devnet;
    let chain: ChainClient;

    beforeAll(async () => {
        ({ devnet, chain } = await startTestDevnet());
    });
    afterAll(() => devnet.stop());

    it('caches for maxAgeMs, then notices a params_version change', async () => {
        const owner = await fundedSender(chain, devnet.endpoint, 'registry-owner');
        const root = await rootFromInit(owner.address, devnetParams());
        expectDelivered(await owner.sender.send({ to: root.address, value: toNano('1'), init: root.init!, bounce: false }));

        let clock = 1_000;
        const reader = new RegistryReader(chain, root.address, { maxAgeMs: 5_000, now: () => clock });
        const changes: RootChange[] = [];
        reader.onChange((c) => changes.push(c));
        const first = await reader.get();
        expect(first.paramsVersion).toBe(1);
        expect(first.params.pricePerToken).toBe(toNano('0.001'));

        expectDelivered(await owner.sender.send({ to: root.address, value: toNano('0.1'), body: changePriceBody(toNano('0.002'), toNano('0.0002')) }));
        clock += 4_999;
        expect(await reader.get()).toBe(first); // still fresh: no chain read
        clock += 1;
        const second = await reader.get();
        expect(second.params.pricePerToken).toBe(toNano('0.002'));
        expect(second.paramsVersion).toBe(2);
        expect(changes).toHaveLength(1);
        expect(changes[0].paramsVersionChanged).toBe(true);
        expect(changes[0].previous).toBe(first);
        expect(changes[0].current).toBe(second);

        // nothing happened since: the same snapshot comes back
        clock += 10_000;
        expect(await reader.refresh()).toBe(second);
        expect(changes).toHaveLength(1);
    });

    it('shares one chain read among concurrent refreshes, and notifies a change once', async () => {
        const owner = await fundedSender(chain, devnet.endpoint, 'registry-owner-2');
        const root = await rootFromInit(owner.address, devnetParams());
        expectDelivered(await owner.sender.send({ to: root.address, value: toNano('1'), init: root.init!, bounce: false }));
        let reads = 0;
        const counting = new Proxy(chain, {
            get: (target, key) => (key === 'getAccount' ? (a: Address) => (reads++, target.getAccount(a)) : Reflect.get(target, key)),
        });
        const reader = new RegistryReader(counting, root.address);
        await reader.get();
        expectDelivered(await owner.sender.send({ to: root.address, value: toNano('0.1'), body: changePriceBody(toNano('0.003'), toNano('0.0003')) }));
        const changes: RootChange[] = [];
        reader.onChange((c) => changes.push(c));
        reads = 0;
        const all = await Promise.all([reader.refresh(), reader.refresh(), reader.refresh()]);
        expect(reads).toBe(1);
        expect(new Set(all).size).toBe(1);
        expect(all[0].paramsVersion).toBe(2);
        expect(changes).toHaveLength(1);
    });

    it('refuses an address without a root contract', async () => {
        const nowhere = Address.parse('0:' + '5e'.repeat(32));
        await expect(new RegistryReader(chain, nowhere).get()).rejects.toThrow(
            new RegistryError(`root ${nowhere.toString()} is uninitialized, not an active contract`),
        );
    });
});
