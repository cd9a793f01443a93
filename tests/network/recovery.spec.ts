import { Address, type Transaction } from '@ton/core';
import { readClientContract } from '../../offchain/chain/cocoon/contracts';
import { startNetwork, type LocalNetwork } from '../../offchain/cli/up/network';

const OP_PAYOUT = 0xc59a7cd3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The client recovers its deposit by itself when its proxy disappears (spec "Closing"). */
describe('a proxy that disappears', () => {
    let net: LocalNetwork;
    const logs: string[] = [];
    beforeAll(async () => {
        net = await startNetwork({
            clientPort: 0,
            progress: () => {},
            logSink: (l) => logs.push(l),
            saveStateSeconds: 1,
            clientLostAfterSeconds: 3,
            params: { proxyDelayBeforeClose: 4, clientDelayBeforeClose: 2 },
        });
    }, 120_000);
    afterAll(async () => {
        await net?.stop();
    });

    it('the client closes its contract, forces the refund after the delay and gets its whole deposit back', async () => {
        await net.client.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 });
        const deposit = (await readClientContract(net.chain, net.clientContract)).balance;
        await net.proxy.stop(); // gone: no process, its contract untouched

        const recovery = () =>
            (net.client.client.status() as { recovery: { clientContract: string; state: string; reason: string | null }[] }).recovery.find(
                (r) => r.clientContract === net.clientContract.toRawString(),
            );
        const seen = new Set<string>();
        const deadline = Date.now() + 90_000;
        while (recovery()?.state !== 'recovered') {
            if (Date.now() > deadline) throw new Error(`not recovered; states seen: ${[...seen].join(', ')}`);
            const s = recovery();
            if (s) seen.add(s.state);
            await sleep(200);
        }
        expect([...seen]).toEqual(expect.arrayContaining(['requested', 'forced']));
        expect(logs.some((l) => l.includes('"msg":"deposit recovery: requested"') && /no connection to the proxy for \d+ s/.test(l))).toBe(true);

        const contract = await readClientContract(net.chain, net.clientContract);
        expect({ state: contract.state, balance: contract.balance }).toEqual({ state: 2, balance: 0n });
        // the proxy contract paid the whole deposit to the client's wallet (the usage was never charged: the proxy's loss)
        const txs: Transaction[] = await net.chain.getTransactions(net.proxyContract, { limit: 50 });
        const wallet = Address.parse((net.client.client.status() as { wallet: string }).wallet);
        let paid = 0n;
        for (const tx of txs) {
            for (const m of tx.outMessages.values()) {
                if (m.info.type !== 'internal' || !m.info.dest.equals(wallet)) continue;
                const body = m.body.beginParse();
                if (body.remainingBits >= 32 && body.loadUint(32) === OP_PAYOUT) paid += m.info.value.coins;
            }
        }
        expect(paid).toBe(deposit);
    }, 180_000);
});
