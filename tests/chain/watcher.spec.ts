import { Address, beginCell, Cell, internal, SendMode, toNano } from '@ton/core';
import { TonClient } from '@ton/ton';
import { ChainClient } from '../../offchain/chain/client';
import { requestFaucet } from '../../offchain/chain/faucet';
import { TransactionWatcher, WatchedTransaction } from '../../offchain/chain/watcher';
import { Devnet } from '../../offchain/devnet';
import { startTestDevnet } from '../devnet/helpers';
import { v4 } from '../devnet/wallets';

describe('TransactionWatcher', () => {
    let devnet: Devnet;
    let client: TonClient;
    let chain: ChainClient;

    beforeAll(async () => {
        ({ devnet, client, chain } = await startTestDevnet());
    });
    afterAll(() => devnet.stop());

    /** Sends a message with body `op | n` from the test wallet to `to`. */
    async function sendOp(w: ReturnType<typeof v4>, to: Address, op: number, n: number) {
        const seqno = await w.wallet.getSeqno();
        const body = beginCell().storeUint(op, 32).storeUint(n, 16).endCell();
        await w.wallet.sendTransfer({ seqno, secretKey: w.key.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [internal({ to, value: toNano('0.1'), bounce: false, body })] });
    }

    it('returns new transactions oldest first across pages, decoded by op', async () => {
        const w = v4(client, 'watcher-sender');
        const target = Address.parse('0:' + 'a7'.repeat(32));
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('10'));
        const decode = (op: number, body: Cell) => {
            if (op === 0x22222222) throw new Error('malformed 0x22222222');
            return op === 0x11111111 ? { n: body.beginParse().skip(32).loadUint(16) } : undefined;
        };
        const watcher = new TransactionWatcher(chain, target, { pageSize: 2, decode });
        expect(await watcher.poll()).toEqual([]);
        for (let n = 1; n <= 5; n++) await sendOp(w, target, n === 3 ? 0x22222222 : 0x11111111, n);
        const seen = await watcher.poll();
        expect(seen.map((t) => t.op)).toEqual([0x11111111, 0x11111111, 0x22222222, 0x11111111, 0x11111111]);
        expect(seen.map((t) => t.decoded)).toEqual([{ n: 1 }, { n: 2 }, undefined, { n: 4 }, { n: 5 }]);
        expect(seen.map((t) => t.decodeError)).toEqual([null, null, 'malformed 0x22222222', null, null]);
        expect(seen.every((t) => t.from!.equals(w.wallet.address) && t.value === toNano('0.1') && t.inbound === 'internal')).toBe(true);
        expect(watcher.lastLt).toBe(seen[4].lt);
        expect(await watcher.poll()).toEqual([]);
        await sendOp(w, target, 0x11111111, 6);
        expect((await watcher.poll()).map((t) => t.decoded)).toEqual([{ n: 6 }]);
    });

    it('hands each transaction to the callback once, and again after the callback failed on it', async () => {
        const w = v4(client, 'watcher-sender-2');
        const target = Address.parse('0:' + 'a8'.repeat(32));
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('10'));
        const watcher = new TransactionWatcher(chain, target, { pollMs: 20 });
        const got: number[] = [];
        const errors: string[] = [];
        let failOnce = true;
        const done = new Promise<void>((resolve) => {
            watcher.start(
                (t: WatchedTransaction) => {
                    const n = t.tx.inMessage!.body.beginParse().skip(32).loadUint(16);
                    if (n === 2 && failOnce) {
                        failOnce = false;
                        throw new Error('handler failed on 2');
                    }
                    got.push(n);
                    if (got.length === 3) resolve();
                },
                (e) => errors.push(e.message),
            );
        });
        for (let n = 1; n <= 3; n++) await sendOp(w, target, 0x33333333, n);
        await done;
        watcher.stop();
        expect(got).toEqual([1, 2, 3]);
        expect(errors).toEqual(['handler failed on 2']);
    });
});
