// Every proxy, client and worker message: the TL-B field list of contracts/messages.tlb, the wrappers (Tact's
// generated store functions and signing.ts) and the contracts build and read the same bits.
import { Address, beginCell, Cell, toNano } from '@ton/core';
import { loadTlb, loadTlbFields, storeTlb, tlbConstructor, TlbValue } from '../helpers/tlb';
import { clientMessages, parseClientProxyRequest } from '../../wrappers/client';
import { workerMessages, parseWorkerProxyRequest } from '../../wrappers/worker';
import { proxyMessages } from '../../wrappers/proxy';
import { envelopeCell, payloadCell, SignedKind } from '../../wrappers/signing';
import { paymentsSandbox } from './payments.setup';
import { outTo, plain, TON } from './payments.fixtures';

const tlb = loadTlb();
const a = Address.parse('0:' + '12'.repeat(32));
const b = Address.parse('0:' + '34'.repeat(32));
const sig = Buffer.alloc(64, 7);

function roundTrip(name: string, values: Record<string, TlbValue>, wrapper: Cell) {
    const c = tlbConstructor(tlb, name);
    expect(storeTlb(tlb, c, values).endCell().equals(wrapper)).toBe(true);
    const s = wrapper.beginParse();
    expect(plain(loadTlbFields(tlb, c, s))).toEqual(plain(values));
    expect([s.remainingBits, s.remainingRefs]).toEqual([0, 0]);
}

describe('TL-B round trips: proxy, client and worker messages', () => {
    const cases: [string, Record<string, TlbValue>, Cell][] = [
        ['ext_client_top_up', { query_id: 1n, top_up_amount: 5n * TON, send_excesses_to: a }, clientMessages.topUp(1n, 5n * TON, a)],
        [
            'owner_client_change_secret_hash_and_top_up',
            { query_id: 2n, top_up_amount: TON, new_secret_hash: 0xabcdefn, send_excesses_to: a },
            clientMessages.changeSecretHashAndTopUp(2n, TON, 0xabcdefn, a),
        ],
        ['owner_client_register', { query_id: 3n, nonce: 0xfeedn, send_excesses_to: a }, clientMessages.register(3n, 0xfeedn, a)],
        ['owner_client_change_secret_hash', { query_id: 4n, new_secret_hash: 77n, send_excesses_to: b }, clientMessages.changeSecretHash(4n, 77n, b)],
        ['owner_client_increase_stake', { query_id: 5n, new_stake: 3n * TON, send_excesses_to: b }, clientMessages.increaseStake(5n, 3n * TON, b)],
        ['owner_client_withdraw', { query_id: 6n, send_excesses_to: b }, clientMessages.withdraw(6n, b)],
        ['owner_client_request_refund', { query_id: 7n, send_excesses_to: b }, clientMessages.requestRefund(7n, b)],
        ['owner_worker_register', { query_id: 8n, send_excesses_to: a }, workerMessages.register(8n, a)],
        ['ext_proxy_payout_request', { query_id: 9n, send_excesses_to: a }, proxyMessages.payoutRequest(9n, a)],
        ['ext_proxy_increase_stake', { query_id: 10n, grams: TON, send_excesses_to: a }, proxyMessages.increaseStake(10n, TON, a)],
        ['owner_proxy_close', { query_id: 11n, send_excesses_to: a }, proxyMessages.ownerClose(11n, a)],
    ];
    it.each(cases.map(([n, v, c]) => [n, v, c] as const))('%s', (name, values, cell) => roundTrip(name, values, cell));

    const signedCases: [string, string, SignedKind, boolean][] = [
        ['ext_client_charge_signed', 'client_charge_payload', 'charge', true],
        ['ext_client_grant_refund_signed', 'client_grant_refund_payload', 'grantRefund', true],
        ['ext_worker_payout_request_signed', 'worker_payout_payload', 'payout', true],
        ['ext_worker_last_payout_request_signed', 'worker_last_payout_payload', 'lastPayout', true],
        ['ext_proxy_close_request_signed', 'proxy_close_request_payload', 'closeRequest', false],
        ['ext_proxy_close_complete_request_signed', 'proxy_close_complete_payload', 'closeComplete', false],
    ];
    it.each(signedCases)('%s with %s', (envelopeName, payloadName, kind, tokens) => {
        const payload = payloadCell({ kind, queryId: 21n, ...(tokens ? { newTokens: 999n } : {}), expectedMyAddress: b });
        const values: Record<string, TlbValue> = { query_id: 21n };
        if (tokens) values[payloadName.startsWith('client') ? 'new_tokens_used' : 'new_tokens'] = 999n;
        values.expected_my_address = b;
        roundTrip(payloadName, values, payload);
        roundTrip(envelopeName, { query_id: 21n, send_excesses_to: a, signature: sig, payload }, envelopeCell({ kind, queryId: 21n, sendExcessesTo: a, signature: sig, payload }));
    });

    it('text commands "c" and "w"', () => {
        const c = tlbConstructor(tlb, 'text_command');
        for (const [cell, ch] of [[proxyMessages.closeText(), 'c'], [proxyMessages.withdrawText(), 'w']] as const) {
            expect(plain(loadTlbFields(tlb, c, cell.beginParse()))).toEqual(plain({ command: BigInt(ch.charCodeAt(0)) }));
        }
    });

    it('worker_proxy_request as the worker contract sends it, and as the wrapper reads it', async () => {
        const s = await paymentsSandbox();
        await s.clientOwner.send({ to: s.client.address, value: toNano('2.7'), body: clientMessages.topUp(1n, 2n * TON, s.clientOwner.address) });
        const r = await s.submitter.send({ to: s.worker.address, value: toNano('0.5'), body: s.signed({ kind: 'payout', queryId: 31n, newTokens: 40n, expectedMyAddress: s.worker.address }) });
        const tx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.worker.address.toString())!;
        const body = outTo(tx, s.proxy.address).body;
        const payload = beginCell()
            .store((bld) => storeTlb(tlb, tlbConstructor(tlb, 'worker_proxy_payout_request'), { worker_part: 40n * 100_000n, proxy_part: 40n * 900_000n, send_excesses_to: s.submitter.address }, bld))
            .endCell();
        roundTrip('worker_proxy_request', { query_id: 31n, worker_owner: s.workerOwner.address, state: 0n, tokens: 40n, payload }, body);
        expect(parseWorkerProxyRequest(body).payload?.workerPart).toBe(4_000_000n);
    });

    it('proxy_client_unpaid and proxy_worker_unpaid as the proxy contract sends them (issue 11)', async () => {
        const s = await paymentsSandbox();
        const answerTo = (r: { transactions: any[] }, to: Address) => {
            const tx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.proxy.address.toString())!;
            return outTo(tx, to).body;
        };
        await s.clientOwner.send({ to: s.client.address, value: toNano('1.7'), body: clientMessages.topUp(1n, TON, s.clientOwner.address) });
        // 40,000 tokens: the worker part (4 TON) is more than the proxy holds.
        let r = await s.submitter.send({ to: s.worker.address, value: toNano('0.5'), body: s.signed({ kind: 'payout', queryId: 51n, newTokens: 40_000n, expectedMyAddress: s.worker.address }) });
        roundTrip('proxy_worker_unpaid', { query_id: 51n, worker_part: 4n * TON, proxy_part: 36n * TON }, answerTo(r, s.worker.address));
        // 10,000 tokens (1 TON) are paid: the proxy keeps about 0.3 TON, less than the client's 1 TON forced refund.
        await s.submitter.send({ to: s.worker.address, value: toNano('0.5'), body: s.signed({ kind: 'payout', queryId: 52n, newTokens: 10_000n, expectedMyAddress: s.worker.address }) });
        await s.clientOwner.send({ to: s.client.address, value: toNano('0.7'), body: clientMessages.requestRefund(53n, s.clientOwner.address) });
        s.blockchain.now = Math.floor(Date.now() / 1000) + 7200;
        r = await s.clientOwner.send({ to: s.client.address, value: toNano('0.7'), body: clientMessages.requestRefund(54n, s.clientOwner.address) });
        const tx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.proxy.address.toString())!;
        const paid = outTo(tx, s.clientOwner.address).value;
        roundTrip('proxy_client_unpaid', { query_id: 54n, request_op: 0xf4c354c9n, coins: TON - paid }, answerTo(r, s.client.address));
    });

    it('client_proxy_request with its snapshot and each payload, as the client contract sends them', async () => {
        const s = await paymentsSandbox();
        const bodyOf = async (send: () => Promise<{ transactions: any[] }>) => {
            const r = await send();
            const tx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.client.address.toString())!;
            return outTo(tx, s.proxy.address).body;
        };
        const snapshot = (balance: bigint, stake: bigint) =>
            storeTlb(tlb, tlbConstructor(tlb, 'client_state_snapshot'), { state: 0n, balance, stake, tokens_used: 0n, secret_hash: 0n }).endCell();
        const payload = (name: string, v: Record<string, TlbValue>) => storeTlb(tlb, tlbConstructor(tlb, name), v).endCell();

        let body = await bodyOf(() => s.clientOwner.send({ to: s.client.address, value: toNano('3.7'), body: clientMessages.topUp(41n, 3n * TON, a) }));
        roundTrip('client_proxy_request', { query_id: 41n, client_owner: s.clientOwner.address, state: snapshot(3n * TON, TON), payload: payload('client_proxy_top_up', { top_up_coins: 3n * TON, send_excesses_to: a }) }, body);
        body = await bodyOf(() => s.clientOwner.send({ to: s.client.address, value: toNano('0.7'), body: clientMessages.register(42n, 0x55n, a) }));
        roundTrip('client_proxy_request', { query_id: 42n, client_owner: s.clientOwner.address, state: snapshot(3n * TON, TON), payload: payload('client_proxy_register', { nonce: 0x55n }) }, body);
        body = await bodyOf(() => s.clientOwner.send({ to: s.client.address, value: toNano('0.7'), body: clientMessages.withdraw(43n, a) }));
        roundTrip('client_proxy_request', { query_id: 43n, client_owner: s.clientOwner.address, state: snapshot(TON, TON), payload: payload('client_proxy_refund_granted', { coins: 2n * TON, send_excesses_to: a }) }, body);
        expect(parseClientProxyRequest(body).payload).toMatchObject({ kind: 'refundGranted', coins: 2n * TON });
        body = await bodyOf(() => s.clientOwner.send({ to: s.client.address, value: toNano('0.7'), body: clientMessages.changeSecretHash(44n, 0n, a) }));
        roundTrip('client_proxy_request', { query_id: 44n, client_owner: s.clientOwner.address, state: snapshot(TON, TON), payload: null }, body);
        const force = payload('client_proxy_refund_force', { coins: TON, send_excesses_to: a });
        expect(parseClientProxyRequest(beginCell().storeUint(0x65448ff4, 32).storeUint(1, 64).storeAddress(a).storeRef(snapshot(0n, TON)).storeMaybeRef(force).endCell()).payload).toMatchObject({
            kind: 'refundForce',
            coins: TON,
        });
    });
});
