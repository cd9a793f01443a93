import { Address } from '@ton/core';
import type { ChainClient } from '../../offchain/chain';
import type { Outbox, OutboxIntent, OutboxRecord } from '../../offchain/chain/outbox';
import { DepositRecovery, type ContractReader } from '../../offchain/client/recovery';
import type { ClientStore } from '../../offchain/client/store';
import { silentLogger } from '../../offchain/runtime';

const CLIENT = new Address(0, Buffer.alloc(32, 0xc1));
const PROXY = new Address(0, Buffer.alloc(32, 0xb1));

/** An outbox that keeps intents in memory; a test settles them by hand. */
function memoryOutbox(clock: () => number) {
    const records = new Map<string, OutboxRecord>();
    const outbox = {
        byIntent: (intent: string) => records.get(intent),
        enqueue: (i: OutboxIntent) => {
            const r = { id: records.size + 1, intent: i.intent, to: i.to, value: i.value, state: 'queued', createdAt: clock(), outcome: null } as unknown as OutboxRecord;
            records.set(i.intent, records.get(i.intent) ?? r);
            return records.get(i.intent)!;
        },
    };
    const settle = (intent: string) => ((records.get(intent) as { outcome: string }).outcome = 'delivered');
    return { outbox: outbox as unknown as Outbox, intents: () => [...records.keys()], settle };
}

describe("the client's deposit recovery", () => {
    let now = 1_800_000_000_000;
    const clock = () => now;
    const store = {
        attachments: () => [{ clientContract: CLIENT.toRawString(), proxyContract: PROXY.toRawString(), lastConnected: 0 }],
        attached: () => undefined,
    } as unknown as ClientStore;
    const recovery = (contracts: ContractReader, outbox: Outbox) =>
        new DepositRecovery({ chain: {} as ChainClient, outbox, store, wallet: CLIENT, log: silentLogger(), lostAfterMs: 1000, connectedTo: () => null, contracts, now: clock });

    it('forces the refund after the unlock, and tries again no sooner than a minute after an attempt without effect', async () => {
        const unlockTs = now / 1000 - 10;
        const m = memoryOutbox(clock);
        const r = recovery({ client: async () => ({ state: 1, unlockTs }), proxy: async () => ({ state: 1, unlockTs: 0 }) }, m.outbox);
        await r.tick();
        expect(m.intents()).toEqual([`recover:${CLIENT.toRawString()}:force:0`]);
        expect(r.status()).toMatchObject([{ state: 'forced' }]);
        m.settle(`recover:${CLIENT.toRawString()}:force:0`); // delivered, but the contract is still closing
        now += 59_000;
        await r.tick();
        expect(m.intents()).toHaveLength(1);
        now += 1_000;
        await r.tick();
        expect(m.intents()).toEqual([`recover:${CLIENT.toRawString()}:force:0`, `recover:${CLIENT.toRawString()}:force:1`]);
    });

    it('sends nothing to a proxy contract that closed without refunding: the deposit is stranded, and says so', async () => {
        const m = memoryOutbox(clock);
        const r = recovery({ client: async () => ({ state: 1, unlockTs: now / 1000 - 10 }), proxy: async () => ({ state: 2, unlockTs: 0 }) }, m.outbox);
        for (let i = 0; i < 3; i++) await r.tick();
        expect(m.intents()).toEqual([]);
        expect(r.status()).toEqual([
            {
                clientContract: CLIENT.toRawString(),
                proxyContract: PROXY.toRawString(),
                state: 'stranded',
                reason: 'the proxy contract closed without refunding this client; its deposit can only come from the proxy owner',
                unlockAt: now / 1000 - 10,
            },
        ]);
    });
});
