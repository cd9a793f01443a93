import { Address, beginCell, toNano } from '@ton/core';
import { ChainClient } from '../../offchain/chain/client';
import { cocoonWalletAdapter } from '../../offchain/chain/cocoon';
import { requestFaucet } from '../../offchain/chain/faucet';
import { WalletSender } from '../../offchain/chain/walletSender';
import { Devnet } from '../../offchain/devnet';
import { readWalletState } from '../../wrappers/wallet';
import { startTestDevnet } from '../devnet/helpers';
import { testKey } from '../devnet/wallets';

const dest = (n: number) => Address.parse('0:' + n.toString(16).padStart(2, '0').repeat(32));

describe('WalletSender over a CocoonWallet', () => {
    let devnet: Devnet;
    let chain: ChainClient;

    beforeAll(async () => {
        ({ devnet, chain } = await startTestDevnet());
    });
    afterAll(() => devnet.stop());

    it('deploys the wallet with its first batch and sends five messages in two externals', async () => {
        const owner = Address.parse('0:' + '0e'.repeat(32));
        const wallet = await cocoonWalletAdapter(testKey('cocoon-wallet'), owner);
        await requestFaucet(devnet.endpoint, wallet.address, toNano('20'));
        const sender = new WalletSender(chain, wallet, { pollMs: 5 });
        const outcomes = await sender.sendMany([1, 2, 3, 4, 5].map((n) => ({ to: dest(0x70 + n), value: toNano(String(n)), bounce: false })));
        expect(outcomes.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
        expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2, 3, 0]);
        // COCOON's mode 0: the forwarding fee comes out of the value, so each arrives as the out message says
        const [second, first] = await chain.getTransactions(wallet.address, { limit: 2 });
        const arrived = [...first.outMessages.values(), ...second.outMessages.values()].map((m) => (m.info.type === 'internal' ? m.info.value.coins : -1n));
        for (let n = 1; n <= 5; n++) {
            expect(await chain.getBalance(dest(0x70 + n))).toBe(arrived[n - 1]);
            expect(arrived[n - 1] < toNano(String(n))).toBe(true);
        }
        const state = await readWalletState(chain.provider(wallet.address));
        expect(state!.seqno).toBe(2);
        expect(state!.owner.equals(owner)).toBe(true);
    });

    it('sends a 1-nanoTON notice with the fees paid separately (COCOON mode 1)', async () => {
        const wallet = await cocoonWalletAdapter(testKey('cocoon-wallet'), Address.parse('0:' + '0e'.repeat(32)));
        const sender = new WalletSender(chain, wallet, { pollMs: 5 });
        const o = await sender.send({ to: dest(0x7f), value: 1n, bounce: false, body: beginCell().storeUint(0x9a1247c0, 32).endCell() });
        expect(o.status).toBe('delivered');
        expect(await chain.getBalance(dest(0x7f))).toBe(1n);
    });
});
