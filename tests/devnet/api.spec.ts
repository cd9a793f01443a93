import { Address, beginCell, Cell, Dictionary, external, internal, loadMessage, SendMode, storeMessage, toNano } from '@ton/core';
import { getNormalizedExtMessageHash } from '@ton/blueprint';
import { parseFullConfig, TonClient } from '@ton/ton';
import { requestFaucet } from '../../offchain/chain/faucet';
import { Devnet } from '../../offchain/devnet';
import { health, rawCall, startTestDevnet } from './helpers';
import { testKey, transferV4, v4, v5 } from './wallets';

describe('devnet API through TonClient', () => {
    let devnet: Devnet;
    let client: TonClient;
    let logs: string[];
    const api = (m: string) => `${devnet.baseUrl}/api/v2/${m}`;

    beforeAll(async () => {
        ({ devnet, client, logs } = await startTestDevnet());
    });
    afterAll(() => devnet.stop());

    it('funds any address from the faucet and reports it uninitialized', async () => {
        const target = Address.parse('0:' + '11'.repeat(32));
        const receipt = await requestFaucet(devnet.endpoint, target.toString({ bounceable: false, testOnly: true }), 1_234_567n);
        expect(receipt.amount).toBe(1_234_567n);
        expect(receipt.balance).toBe(1_234_567n);
        const state = await client.getContractState(target);
        expect(state.state).toBe('uninitialized');
        expect(state.balance).toBe(1_234_567n);
        expect(state.lastTransaction).toEqual({ lt: receipt.lt.toString(), hash: receipt.hash });
    });

    it('deploys a V4 wallet with its first transfer and moves exact amounts', async () => {
        const w = v4(client, 'api-v4');
        const to = Address.parse('0:' + '22'.repeat(32));
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('10'));
        expect(await w.wallet.getSeqno()).toBe(0);
        await transferV4(w, to, toNano('1'));
        expect(await w.wallet.getSeqno()).toBe(1);
        expect(await client.getBalance(to)).toBe(toNano('1'));

        const txs = await client.getTransactions(w.wallet.address, { limit: 10 });
        expect(txs).toHaveLength(2);
        const [transfer, funding] = txs;
        expect(funding.inMessage?.info.type).toBe('internal');
        expect(transfer.inMessage?.info.type).toBe('external-in');
        const out = transfer.outMessages.get(0)!;
        if (out.info.type !== 'internal') throw new Error('expected an internal out message');
        expect(out.info.value.coins).toBe(toNano('1'));
        // everything the wallet spent is the value sent, the transaction fees and the forwarding fee
        const expected = toNano('10') - toNano('1') - funding.totalFees.coins - transfer.totalFees.coins - out.info.forwardFee;
        expect(await w.wallet.getBalance()).toBe(expected);
        expect(logs.some((l) => l.startsWith(`tx ${w.wallet.address.toString()} `) && l.endsWith(' op=external ok'))).toBe(true);
    });

    it('runs a V5R1 wallet (testnet wallet id, as blueprint makes it)', async () => {
        const w = v5(client, 'api-v5');
        const to = Address.parse('0:' + '33'.repeat(32));
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('5'));
        await w.wallet.sendTransfer({ seqno: 0, secretKey: w.key.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [internal({ to, value: toNano('2'), bounce: false })] });
        expect(await w.wallet.getSeqno()).toBe(1);
        expect(await client.getBalance(to)).toBe(toNano('2'));
        const info = await rawCall(api(`getWalletInformation?address=${w.wallet.address.toString()}`));
        expect(info.body.result).toMatchObject({ wallet: true, wallet_type: 'wallet v5 r1', seqno: 1, account_state: 'active' });
    });

    it('pages getTransactions by lt/hash and to_lt as toncenter does', async () => {
        const w = v4(client, 'api-paging');
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('10'));
        for (let i = 0; i < 4; i++) await transferV4(w, Address.parse('0:' + '44'.repeat(32)), toNano('0.1'));
        const all = await client.getTransactions(w.wallet.address, { limit: 100 });
        expect(all).toHaveLength(5);
        const lts = all.map((t) => t.lt);
        expect([...lts].sort((a, b) => (a > b ? -1 : 1))).toEqual(lts);

        // TonClient pages exclusively: starting from tx #1 returns #2, #3
        const page = await client.getTransactions(w.wallet.address, { limit: 2, lt: all[1].lt.toString(), hash: all[1].hash().toString('base64') });
        expect(page.map((t) => t.lt)).toEqual([all[2].lt, all[3].lt]);
        // inclusive when asked
        const incl = await client.getTransactions(w.wallet.address, { limit: 2, lt: all[1].lt.toString(), hash: all[1].hash().toString('base64'), inclusive: true });
        expect(incl.map((t) => t.lt)).toEqual([all[1].lt, all[2].lt]);
        // to_lt is exclusive: only transactions newer than it
        const newer = await client.getTransactions(w.wallet.address, { limit: 100, to_lt: all[2].lt.toString() });
        expect(newer.map((t) => t.lt)).toEqual([all[0].lt, all[1].lt]);
        // REST form with a hex hash
        const rest = await rawCall(api(`getTransactions?address=${w.wallet.address.toString()}&limit=1&lt=${all[3].lt}&hash=${all[3].hash().toString('hex')}`));
        expect(rest.status).toBe(200);
        expect(rest.body.result).toHaveLength(1);
        expect(rest.body.result[0].transaction_id).toEqual({ '@type': 'internal.transactionId', lt: all[3].lt.toString(), hash: all[3].hash().toString('base64') });
    });

    it('answers account methods in REST form with toncenter shapes', async () => {
        const w = v4(client, 'api-rest');
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('3'));
        await transferV4(w, Address.parse('0:' + '55'.repeat(32)), toNano('1'));
        const a = w.wallet.address.toString();
        const balance = await w.wallet.getBalance();
        expect((await rawCall(api(`getAddressBalance?address=${a}`))).body).toEqual({ ok: true, result: balance.toString() });
        expect((await rawCall(api(`getAddressState?address=${a}`))).body).toEqual({ ok: true, result: 'active' });
        expect((await rawCall(api(`getAddressState?address=0:${'66'.repeat(32)}`))).body).toEqual({ ok: true, result: 'uninitialized' });
        const wallet = (await rawCall(api(`getWalletInformation?address=${a}`))).body.result;
        expect(wallet).toMatchObject({ wallet: true, balance: balance.toString(), account_state: 'active', wallet_type: 'wallet v4 r2', seqno: 1, wallet_id: 698983191 });
        const ext = (await rawCall(api(`getExtendedAddressInformation?address=${a}`))).body.result;
        expect(ext['@type']).toBe('fullAccountState');
        expect(ext.account_state).toEqual({ '@type': 'wallet.v4.accountState', wallet_id: '698983191', seqno: 1 });
        const info = (await rawCall(api(`getAddressInformation?address=${a}`))).body.result;
        expect(info.state).toBe('active');
        expect(Cell.fromBase64(info.code).hash()).toEqual(w.wallet.init.code.hash());
        const before = (await health(devnet)).block_seqno;
        const mc = (await rawCall(api('getMasterchainInfo'))).body.result;
        const after = (await health(devnet)).block_seqno;
        expect(mc['@type']).toBe('blocks.masterchainInfo');
        expect(mc.last.seqno).toBeGreaterThanOrEqual(before);
        expect(mc.last.seqno).toBeLessThanOrEqual(after);
        expect(mc.init.seqno).toBe(0);
    });

    it('runs get methods: toncenter stack out, REST and JSON-RPC in, exit codes for failures', async () => {
        const w = v4(client, 'api-getters');
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('3'));
        await transferV4(w, Address.parse('0:' + '77'.repeat(32)), toNano('1'));
        const a = w.wallet.address.toString();
        const seqno = await rawCall(api(`runGetMethod?address=${a}&method=seqno&stack=[]`));
        expect(seqno.body.result).toMatchObject({ '@type': 'smc.runResult', exit_code: 0, stack: [['num', '0x1']] });
        const key = await client.runMethod(w.wallet.address, 'get_public_key');
        expect(key.stack.readBigNumber()).toBe(BigInt('0x' + testKey('api-getters').publicKey.toString('hex')));
        // method by numeric id, with an argument (V4's is_plugin_installed(wc, addr_hash) -> 0)
        const byId = await client.runMethodWithError(w.wallet.address, 'is_plugin_installed', [
            { type: 'int', value: 0n },
            { type: 'int', value: 5n },
        ]);
        expect(byId.exit_code).toBe(0);
        expect(byId.stack.readNumber()).toBe(0);
        const missing = await client.runMethodWithError(w.wallet.address, 'no_such_getter');
        expect(missing.exit_code).toBe(11);
        const uninit = await client.runMethodWithError(Address.parse('0:' + '88'.repeat(32)), 'seqno');
        expect(uninit.exit_code).toBe(-13);
    });

    it('estimates an external message fee equal to what the transaction then costs', async () => {
        const w = v4(client, 'api-fees');
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('3'));
        await transferV4(w, Address.parse('0:' + '99'.repeat(32)), toNano('0.5'));
        const body = w.wallet.createTransfer({ seqno: 1, secretKey: w.key.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [] });
        const est = await client.estimateExternalMessageFee(w.wallet.address, { body, initCode: null, initData: null, ignoreSignature: false });
        await client.sendExternalMessage(w.wallet, body);
        const [tx] = await client.getTransactions(w.wallet.address, { limit: 1 });
        const d = tx.description;
        if (d.type !== 'generic' || d.computePhase.type !== 'vm') throw new Error('expected an executed transaction');
        expect(BigInt(est.source_fees.gas_fee)).toBe(d.computePhase.gasFees);
        // storage fees depend on the second each ran in; everything else matches exactly
        const storage = d.storagePhase?.storageFeesCollected ?? 0n;
        expect(BigInt(est.source_fees.in_fwd_fee + est.source_fees.gas_fee)).toBe(tx.totalFees.coins - storage);
    });

    it('returns the message hash and its normalized hash from sendBocReturnHash', async () => {
        const w = v4(client, 'api-hash');
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('3'));
        const body = w.wallet.createTransfer({ seqno: 0, secretKey: w.key.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [] });
        const msg = external({ to: w.wallet.address, init: w.wallet.init, body });
        const cell = beginCell().store(storeMessage(msg)).endCell();
        const r = await rawCall(api('jsonRPC'), { method: 'POST', body: JSON.stringify({ id: 7, jsonrpc: '2.0', method: 'sendBocReturnHash', params: { boc: cell.toBoc().toString('base64') } }) });
        expect(r.body).toEqual({
            ok: true,
            jsonrpc: '2.0',
            id: 7,
            result: { '@type': 'raw.extMessageInfo', hash: cell.hash().toString('base64'), hash_norm: getNormalizedExtMessageHash(loadMessage(cell.beginParse())).toString('base64') },
        });
        expect(await w.wallet.getSeqno()).toBe(1);
    });

    it('takes REST POST with a JSON body as well', async () => {
        const w = v4(client, 'api-rest-post');
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('3'));
        const body = w.wallet.createTransfer({ seqno: 0, secretKey: w.key.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [] });
        const boc = beginCell().store(storeMessage(external({ to: w.wallet.address, init: w.wallet.init, body }))).endCell().toBoc().toString('base64');
        const sent = await rawCall(api('sendBoc'), { method: 'POST', body: JSON.stringify({ boc }) });
        expect(sent).toEqual({ status: 200, body: { ok: true, result: { '@type': 'ok' } } });
        const got = await rawCall(api('runGetMethod'), { method: 'POST', body: JSON.stringify({ address: w.wallet.address.toString(), method: 'seqno', stack: [] }) });
        expect(got.body.result.stack).toEqual([['num', '0x1']]);
        const txs = await rawCall(api('getTransactions'), { method: 'POST', body: JSON.stringify({ address: w.wallet.address.toString(), limit: 5 }) });
        expect(txs.body.result).toHaveLength(2);
        expect(txs.body.result[0].in_msg).toMatchObject({ source: '', destination: w.wallet.address.toString(), value: '0' });
    });

    it('renders comments, uninitialized and non-wallet accounts as toncenter does', async () => {
        const w = v4(client, 'api-comment');
        const to = Address.parse('0:' + 'c0'.repeat(32));
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('3'));
        await w.wallet.sendTransfer({ seqno: 0, secretKey: w.key.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [internal({ to, value: toNano('1'), bounce: false, body: 'hello devnet' })] });
        const [received] = (await rawCall(api(`getTransactions?address=${to.toString()}&limit=1`))).body.result;
        expect(received.in_msg).toMatchObject({ source: w.wallet.address.toString(), destination: to.toString(), value: toNano('1').toString(), message: 'hello devnet' });
        expect(received.in_msg.msg_data['@type']).toBe('msg.dataRaw');
        const uninit = (await rawCall(api(`getExtendedAddressInformation?address=${to.toString()}`))).body.result;
        expect(uninit.account_state).toEqual({ '@type': 'uninited.accountState', frozen_hash: '' });
        expect(uninit.balance).toBe(toNano('1').toString());
        const config = (await rawCall(api(`getExtendedAddressInformation?address=-1:${'55'.repeat(32)}`))).body.result;
        expect(config.account_state['@type']).toBe('raw.accountState');
        expect((await rawCall(api(`getWalletInformation?address=${to.toString()}`))).body.result).toEqual({
            wallet: false,
            balance: toNano('1').toString(),
            account_state: 'uninitialized',
            last_transaction_id: received.transaction_id,
        });
    });

    it("lists a block's transactions through TonClient's shard API", async () => {
        const w = v4(client, 'api-blocks');
        const to = Address.parse('0:' + 'b1'.repeat(32));
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('3'));
        const before = (await client.getMasterchainInfo()).latestSeqno;
        await transferV4(w, to, toNano('1'));
        const after = (await client.getMasterchainInfo()).latestSeqno;
        const seen: { account: string; lt: string; hash: string }[] = [];
        for (let seqno = before + 1; seqno <= after; seqno++) {
            const shards = await client.getWorkchainShards(seqno);
            expect(shards).toEqual([{ workchain: 0, shard: '-9223372036854775808', seqno }]);
            for (const t of await client.getShardTransactions(0, seqno, shards[0].shard)) seen.push({ account: t.account.toRawString(), lt: t.lt, hash: t.hash });
        }
        const [sent] = await client.getTransactions(w.wallet.address, { limit: 1 });
        const [received] = await client.getTransactions(to, { limit: 1 });
        expect(seen).toEqual([
            { account: w.wallet.address.toRawString(), lt: sent.lt.toString(), hash: sent.hash().toString('base64') },
            { account: to.toRawString(), lt: received.lt.toString(), hash: received.hash().toString('base64') },
        ]);
        const future = await rawCall(api(`shards?seqno=${after + 1000}`));
        expect(future.status).toBe(500);
        expect(future.body.error).toMatch(new RegExp(`^LITE_SERVER_UNKNOWN: block ${after + 1000} is not known \\(the last is \\d+\\)$`));
    });

    it('locates the result transaction of a message', async () => {
        const w = v4(client, 'api-locate');
        const to = Address.parse('0:' + 'ab'.repeat(32));
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('3'));
        await transferV4(w, to, toNano('1'));
        const [transfer] = await client.getTransactions(w.wallet.address, { limit: 1 });
        const out = transfer.outMessages.get(0)!;
        if (out.info.type !== 'internal') throw new Error('expected an internal out message');
        const result = await client.tryLocateResultTx(w.wallet.address, to, out.info.createdLt.toString());
        const [received] = await client.getTransactions(to, { limit: 1 });
        expect(result.hash()).toEqual(received.hash());
        const source = await client.tryLocateSourceTx(w.wallet.address, to, out.info.createdLt.toString());
        expect(source.hash()).toEqual(transfer.hash());
    });

    it("serves the network config from the config contract's data, as Blueprint's getConfig reads it", async () => {
        const state = await client.getContractState(Address.parse('-1:' + '55'.repeat(32)));
        expect(state.state).toBe('active');
        const dict = Cell.fromBoc(state.data!)[0].beginParse().loadRef().beginParse().loadDictDirect(Dictionary.Keys.Int(32), Dictionary.Values.Cell());
        const config = parseFullConfig(new Map([...dict].map(([k, v]) => [k, v.beginParse()])));
        expect(config.globalVersion.version).toBeGreaterThan(0);
        expect(config.msgPrices.workchain.lumpPrice).toBe(400000n); // the forward fee every plain transfer above paid
    });

    it('executes internal chains: a bounced transfer comes back to the wallet', async () => {
        const w = v4(client, 'api-bounce');
        const to = Address.parse('0:' + 'cd'.repeat(32));
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('3'));
        const seqno = await w.wallet.getSeqno();
        await w.wallet.sendTransfer({ seqno, secretKey: w.key.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [internal({ to, value: toNano('1'), bounce: true })] });
        // wallet: funding, transfer, bounce received
        const txs = await client.getTransactions(w.wallet.address, { limit: 10 });
        expect(txs).toHaveLength(3);
        const bounce = txs[0].inMessage!;
        expect(bounce.info.type === 'internal' && bounce.info.bounced).toBe(true);
        expect(await client.getBalance(to)).toBe(0n);
    });
});
