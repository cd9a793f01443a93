import { Address, contractAddress, toNano } from '@ton/core';
import { ChainClient } from '../../offchain/chain/client';
import { readClientContract } from '../../offchain/chain/cocoon';
import { requestFaucet } from '../../offchain/chain/faucet';
import { walletV4Adapter } from '../../offchain/chain/walletAdapter';
import { WalletSender } from '../../offchain/chain/walletSender';
import { Devnet } from '../../offchain/devnet';
import { clientStateInit, proxyStateInit } from '../../wrappers/addresses';
import { ClientState, clientMessages } from '../../wrappers/client';
import { health, startTestDevnet } from '../devnet/helpers';
import { testKey } from '../devnet/wallets';
import { devnetParams, expectDelivered, fundedSender } from './cocoonFixture';
import { LossyClient } from './lossyClient';

/** A devnet whose clock runs 100 times faster than the wall clock: contract delays pass in a blink. */
describe('devnet clock speed-up', () => {
    let devnet: Devnet;
    let chain: ChainClient;

    beforeAll(async () => {
        ({ devnet, chain } = await startTestDevnet({ speed: 100 }));
    });
    afterAll(() => devnet.stop());

    async function waitForChainTime(t: number) {
        while ((await chain.getAccount(Address.parse('0:' + '00'.repeat(32)))).syncUtime <= t) await new Promise((r) => setTimeout(r, 20));
    }

    it('lets a client wait out client_delay_before_close (600 s of chain time, 6 s of wall time) and close', async () => {
        const params = devnetParams({ clientDelayBeforeClose: 600 });
        const operator = await fundedSender(chain, devnet.endpoint, 'speed-operator');
        const owner = await fundedSender(chain, devnet.endpoint, 'speed-client-owner');
        const proxyKey = testKey('speed-proxy');
        const proxyInit = proxyStateInit({ owner: operator.address, proxyPublicKey: proxyKey.publicKey, root: Address.parse('0:' + '01'.repeat(32)), params });
        const proxy = contractAddress(0, proxyInit);
        expectDelivered(await operator.sender.send({ to: proxy, value: toNano('0.3'), init: proxyInit, bounce: false }));
        const clientInit = clientStateInit({ owner: owner.address, proxyAddress: proxy, proxyPublicKey: proxyKey.publicKey, params });
        const client = contractAddress(0, clientInit);
        expectDelivered(await owner.sender.send({ to: client, value: toNano('0.8'), init: clientInit, bounce: false }));
        expectDelivered(await owner.sender.send({ to: client, value: toNano('2.2'), body: clientMessages.topUp(1n, toNano('2'), owner.address) }));

        const refund = (q: bigint) => owner.sender.send({ to: client, value: toNano('0.2'), body: clientMessages.requestRefund(q, owner.address) });
        expectDelivered(await refund(2n));
        const closing = await readClientContract(chain, client);
        expect(closing.state).toBe(ClientState.closing);
        const early = await refund(3n);
        expect(early.status).toBe('failed');
        expect(early.destination!.outcome.exitCode).toBe(1011); // not unlocked yet

        await waitForChainTime(closing.unlockTs);
        expectDelivered(await refund(4n));
        expect((await readClientContract(chain, client)).state).toBe(ClientState.closed);
    });

    it('makes blocks with chain time: 100 chain seconds in one wall second are 100 blocks', async () => {
        const before = await health(devnet);
        await new Promise((r) => setTimeout(r, 1000));
        const after = await health(devnet);
        expect(after.now - before.now).toBeGreaterThanOrEqual(100);
        // /healthz reads the clock twice; at 100x a chain second may tick between the two reads
        expect(Math.abs(after.block_seqno - before.block_seqno - (after.now - before.now))).toBeLessThanOrEqual(1);
    });

    it('re-signs a batch whose signed message expired unsent, delivering it once', async () => {
        const lossy = new LossyClient(devnet.endpoint, 1);
        const wallet = walletV4Adapter(testKey('speed-expiry'));
        await requestFaucet(devnet.endpoint, wallet.address, toNano('5'));
        // the lost message is never resent (resendMs): only re-signing after expiry can deliver it
        const sender = new WalletSender(lossy, wallet, { pollMs: 10, resendMs: 600_000, ttlSeconds: 120 });
        const to = Address.parse('0:' + '5f'.repeat(32));
        const o = await sender.send({ to, value: toNano('1'), bounce: false });
        expect(o.status).toBe('delivered');
        expect(lossy.sent).toBeGreaterThanOrEqual(2); // a loaded machine may let a re-signed batch expire too
        expect(await wallet.seqno(chain)).toBe(1);
        expect(await chain.getBalance(to)).toBe(toNano('1'));
    });
});
