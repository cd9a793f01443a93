import { Address, beginCell, external, SendMode, storeMessage, toNano } from '@ton/core';
import { internal } from '@ton/sandbox';
import { TonClient } from '@ton/ton';
import { Devnet } from '../../offchain/devnet';
import { requestFaucet } from '../../offchain/chain/faucet';
import { health, rawCall, startTestDevnet } from './helpers';
import { testKey, v4 } from './wallets';

describe('devnet rejects bad requests in toncenter style', () => {
    let devnet: Devnet;
    let client: TonClient;
    const rpc = (body: unknown) => rawCall(devnet.endpoint, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
    const api = (m: string) => `${devnet.baseUrl}/api/v2/${m}`;

    beforeAll(async () => {
        ({ devnet, client } = await startTestDevnet());
    });
    afterAll(() => devnet.stop());

    it('unknown JSON-RPC method: 422 Unknown method', async () => {
        const r = await rpc({ id: 'x', jsonrpc: '2.0', method: 'getEverything', params: {} });
        expect(r).toEqual({ status: 422, body: { ok: false, error: 'Unknown method', code: 422, jsonrpc: '2.0', id: 'x' } });
    });

    it('unknown REST path: 404', async () => {
        expect(await rawCall(api('getEverything'))).toEqual({ status: 404, body: { ok: false, error: 'Not Found', code: 404 } });
        expect(await rawCall(`${devnet.baseUrl}/nothing`)).toEqual({ status: 404, body: { ok: false, error: 'Not Found', code: 404 } });
    });

    it('wrong address: 416 Incorrect address', async () => {
        const r = await rpc({ id: 1, jsonrpc: '2.0', method: 'getAddressInformation', params: { address: 'EQnot-an-address' } });
        expect(r).toEqual({ status: 416, body: { ok: false, error: 'Incorrect address', code: 416, jsonrpc: '2.0', id: 1 } });
        expect((await rawCall(api('getAddressBalance?address=0:zz'))).body).toEqual({ ok: false, error: 'Incorrect address', code: 416 });
    });

    it('missing or mistyped parameters: 422 naming the field', async () => {
        expect((await rpc({ id: 1, method: 'getAddressBalance', params: {} })).body.error).toBe("Validation error: field 'address' is required");
        expect((await rawCall(api('getTransactions?address=0:' + '00'.repeat(32) + '&limit=0'))).body).toEqual({
            ok: false,
            error: "Validation error: field 'limit' must be between 1 and 1000",
            code: 422,
        });
        const a = '0:' + '00'.repeat(32);
        expect((await rawCall(api(`getTransactions?address=${a}&lt=5`))).body.error).toBe("Validation error: fields 'lt' and 'hash' must be given together");
        expect((await rawCall(api(`runGetMethod?address=${a}&method=seqno&stack=[["dict","x"]]`))).body.error).toBe(
            "Validation error: stack entry 0: unsupported type 'dict'",
        );
        expect((await rawCall(api(`runGetMethod?address=${a}&method=seqno&stack=[[`))).body.error).toBe("Validation error: field 'stack' is not valid JSON");
    });

    it('malformed JSON body: 422', async () => {
        expect(await rpc('{"method": ')).toEqual({ status: 422, body: { ok: false, error: 'Validation error: request body is not valid JSON', code: 422, jsonrpc: '2.0', id: null } });
        expect((await rpc('[1,2]')).body.error).toBe('Validation error: request must be a JSON object');
    });

    it('malformed BoC: 500 liteserver error naming the field', async () => {
        const r = await rpc({ id: 2, method: 'sendBoc', params: { boc: 'bm90IGEgYm9j' } });
        expect(r.status).toBe(500);
        expect(r.body.ok).toBe(false);
        expect(r.body.code).toBe(500);
        expect(r.body.error).toMatch(/^LITE_SERVER_UNKNOWN: failed to parse bag of cells in 'boc': /);
    });

    it('an internal message sent as a BoC is refused', async () => {
        const msg = internal({ from: Address.parse('0:' + '02'.repeat(32)), to: Address.parse('0:' + '01'.repeat(32)), value: 1n });
        const cell = beginCell().store(storeMessage(msg)).endCell();
        const r = await rpc({ id: 3, method: 'sendBoc', params: { boc: cell.toBoc().toString('base64') } });
        expect(r.body).toEqual({ ok: false, error: 'LITE_SERVER_UNKNOWN: only external inbound messages can be sent, got internal', code: 500, jsonrpc: '2.0', id: 3 });
    });

    it('an external message the wallet refuses (bad signature) is not accepted, and nothing changes', async () => {
        const w = v4(client, 'errors-badsig');
        await requestFaucet(devnet.endpoint, w.wallet.address, toNano('2'));
        const before = (await health(devnet)).transactions;
        const forged = w.wallet.createTransfer({ seqno: 0, secretKey: testKey('someone-else').secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [] });
        const cell = beginCell().store(storeMessage(external({ to: w.wallet.address, init: w.wallet.init, body: forged }))).endCell();
        const r = await rpc({ id: 4, method: 'sendBoc', params: { boc: cell.toBoc().toString('base64') } });
        expect(r).toEqual({
            status: 500,
            body: { ok: false, error: 'LITE_SERVER_UNKNOWN: cannot apply external message to current state : External message was not accepted', code: 500, jsonrpc: '2.0', id: 4 },
        });
        expect((await health(devnet)).transactions).toBe(before);
        expect(await client.getBalance(w.wallet.address)).toBe(toNano('2'));
        await expect(client.sendExternalMessage(w.wallet, forged)).rejects.toThrow('Request failed with status code 500'); // TonClient (axios) reports the status only
    });

    it('paging from a transaction that does not exist is a liteserver error', async () => {
        const a = '0:' + '03'.repeat(32);
        const r = await rawCall(api(`getTransactions?address=${a}&lt=1000&hash=${'00'.repeat(32)}`));
        expect(r.status).toBe(500);
        expect(r.body.error).toBe(`LITE_SERVER_UNKNOWN: transaction lt=1000 not found on ${Address.parse(a).toString()}`);
    });

    it('faucet validates address and amount', async () => {
        const f = (body: unknown) => rawCall(devnet.faucetUrl, { method: 'POST', body: JSON.stringify(body) });
        expect(await f({ address: 'nope', amount: '1' })).toEqual({ status: 416, body: { ok: false, error: 'Incorrect address', code: 416 } });
        const a = '0:' + '04'.repeat(32);
        expect((await f({ address: a, amount: '0' })).body.error).toBe("Validation error: field 'amount' must be between 1 and 1000000000000000 nanoTON");
        expect((await f({ address: a, amount: '1.5' })).body.error).toBe("Validation error: field 'amount' must be a whole number in digits only");
        expect((await f({ address: a })).body.error).toBe("Validation error: field 'amount' is required");
        expect((await rawCall(devnet.faucetUrl)).status).toBe(405);
    });

    it('keeps serving after all of the above', async () => {
        const r = await rawCall(`${devnet.baseUrl}/healthz`);
        expect(r.status).toBe(200);
        expect(r.body.ok).toBe(true);
        expect((await client.getMasterchainInfo()).workchain).toBe(-1);
    });
});
