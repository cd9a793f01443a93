import { Address, beginCell, SendMode, toNano, Transaction } from '@ton/core';
import { WalletContractV4 } from '@ton/ton';
import { ChainClient, TransactionsQuery } from '../../offchain/chain/client';
import { ChainResponseError, GetMethodFailedError } from '../../offchain/chain/errors';
import { requestFaucet } from '../../offchain/chain/faucet';
import { Devnet } from '../../offchain/devnet';
import { health, startTestDevnet } from '../devnet/helpers';
import { testKey } from '../devnet/wallets';

describe('ChainClient against the devnet', () => {
    let devnet: Devnet;
    let chain: ChainClient;

    beforeAll(async () => {
        ({ devnet, chain } = await startTestDevnet());
    });
    afterAll(() => devnet.stop());

    it('opens a wallet wrapper over its provider: deploy with init, seqno, balance, getters', async () => {
        const key = testKey('chain-client');
        const wallet = chain.open(WalletContractV4.create({ workchain: 0, publicKey: key.publicKey }));
        await requestFaucet(devnet.endpoint, wallet.address, toNano('5'));
        expect((await chain.getAccount(wallet.address)).state).toBe('uninitialized');
        expect(await wallet.getSeqno()).toBe(0);
        const to = Address.parse('0:' + 'f1'.repeat(32));
        await wallet.sendTransfer({
            seqno: 0,
            secretKey: key.secretKey,
            sendMode: SendMode.PAY_GAS_SEPARATELY,
            messages: [{ info: { type: 'internal', dest: to, value: { coins: toNano('1') }, bounce: false, ihrDisabled: true, bounced: false, ihrFee: 0n, forwardFee: 0n, createdAt: 0, createdLt: 0n }, body: beginCell().endCell() }],
        });
        expect(await wallet.getSeqno()).toBe(1);
        expect(await chain.getBalance(to)).toBe(toNano('1'));
        const account = await chain.getAccount(wallet.address);
        expect(account.state).toBe('active');
        expect(account.code!.hash()).toEqual(wallet.init.code.hash());
        expect(account.last).not.toBeNull();
        const key2 = await chain.get(wallet.address, 'get_public_key');
        expect(key2.readBigNumber()).toBe(BigInt('0x' + key.publicKey.toString('hex')));
    });

    it('reports a failing getter as GetMethodFailedError with its exit code', async () => {
        const key = testKey('chain-client');
        const address = WalletContractV4.create({ workchain: 0, publicKey: key.publicKey }).address;
        const err = (await chain.get(address, 'nope').catch((e: unknown) => e)) as GetMethodFailedError;
        expect(err).toBeInstanceOf(GetMethodFailedError);
        expect(err.exitCode).toBe(11);
        expect((await chain.runGetMethod(Address.parse('0:' + 'f2'.repeat(32)), 'seqno')).exitCode).toBe(-13);
    });

    it('refuses to page forever through an API that ignores the paging parameters', async () => {
        const key = testKey('chain-client');
        const address = WalletContractV4.create({ workchain: 0, publicKey: key.publicKey }).address;
        class StuckClient extends ChainClient {
            override getTransactions(a: Address, q: TransactionsQuery) {
                return super.getTransactions(a, { limit: q.limit }); // ignores lt/hash: always the newest
            }
        }
        const pages = new StuckClient(devnet.endpoint).pagesSince(address, undefined, 1);
        const [newest, older] = await chain.getTransactions(address, { limit: 2 });
        expect((await pages.next()).value.map((t: Transaction) => t.lt)).toEqual([newest.lt]);
        expect((await pages.next()).value.map((t: Transaction) => t.lt)).toEqual([older.lt]);
        await expect(pages.next()).rejects.toThrow(new ChainResponseError(`getTransactions did not page past lt ${older.lt} on ${address.toString()}`));
    });

    it('pages transactions and locates a message result', async () => {
        const key = testKey('chain-client');
        const address = WalletContractV4.create({ workchain: 0, publicKey: key.publicKey }).address;
        const txs = await chain.getTransactions(address, { limit: 10 });
        expect(txs).toHaveLength(2);
        const older = await chain.getTransactions(address, { limit: 10, lt: txs[1].lt, hash: txs[1].hash() });
        expect(older.map((t) => t.lt)).toEqual([txs[1].lt]);
        const out = txs[0].outMessages.get(0)!;
        if (out.info.type !== 'internal') throw new Error('internal expected');
        const result = await chain.locateResultTx(address, out.info.dest, out.info.createdLt);
        expect(result!.inMessage!.info.type).toBe('internal');
        expect(await chain.locateResultTx(address, out.info.dest, 12345n)).toBeNull();
        const before = (await health(devnet)).block_seqno;
        const mc = await chain.getMasterchainInfo();
        expect(mc.seqno).toBeGreaterThanOrEqual(before);
        expect(mc.seqno).toBeLessThanOrEqual((await health(devnet)).block_seqno);
    });
});
