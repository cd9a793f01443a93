import { Address, beginCell, toNano } from '@ton/core';
import { sign, signVerify } from '@ton/crypto';
import '@ton/test-utils';
import { paymentsSandbox } from './payments.setup';
import { excessBody, proxyKeys, wrongKeys } from './payments.fixtures';
import {
    envelopeCell,
    parseEnvelope,
    parsePayload,
    payloadCell,
    repackEnvelope,
    SignedEnvelopeError,
    signEnvelope,
    SignedOp,
    validateEnvelope,
} from '../../wrappers/signing';

const me = Address.parse('0:' + 'ab'.repeat(32));
const wallet = Address.parse('0:' + 'cd'.repeat(32));
const other = Address.parse('0:' + 'ef'.repeat(32));

describe('signed envelopes (COCOON §9.1)', () => {
    it('lays out token payloads as op ‖ query_id ‖ new_tokens ‖ expected_my_address', () => {
        const p = payloadCell({ kind: 'charge', queryId: 5n, newTokens: 1234n, expectedMyAddress: me });
        expect(p.bits.length).toBe(32 + 64 + 64 + 267);
        const s = p.beginParse();
        expect([s.loadUint(32), s.loadUintBig(64), s.loadUintBig(64)]).toEqual([0xbb63ff93, 5n, 1234n]);
        expect(s.loadAddress().equals(me)).toBe(true);
        expect(payloadCell({ kind: 'closeRequest', queryId: 5n, expectedMyAddress: me }).bits.length).toBe(32 + 64 + 267);
    });

    it('lays out the envelope as op ‖ query_id ‖ send_excesses_to ‖ signature ‖ ^payload, signed over the payload hash', () => {
        const env = signEnvelope({ kind: 'payout', queryId: 9n, newTokens: 3n, expectedMyAddress: me }, proxyKeys.secretKey, wallet);
        expect([env.bits.length, env.refs.length]).toEqual([32 + 64 + 267 + 512, 1]);
        const s = env.beginParse();
        expect([s.loadUint(32), s.loadUintBig(64)]).toEqual([SignedOp.payout, 9n]);
        expect(s.loadAddress().equals(wallet)).toBe(true);
        expect(signVerify(env.refs[0].hash(), s.loadBuffer(64), proxyKeys.publicKey)).toBe(true);
    });

    it('round-trips every kind through parse', () => {
        for (const kind of Object.keys(SignedOp) as (keyof typeof SignedOp)[]) {
            const tokens = kind === 'closeRequest' || kind === 'closeComplete' ? undefined : 77n;
            const payload = { kind, queryId: 3n, ...(tokens === undefined ? {} : { newTokens: tokens }), expectedMyAddress: me };
            const env = parseEnvelope(signEnvelope(payload, proxyKeys.secretKey, wallet));
            expect(env.kind).toBe(kind);
            const back = parsePayload(env.payload);
            expect([back.kind, back.queryId, back.newTokens, back.expectedMyAddress.equals(me)]).toEqual([kind, 3n, tokens, true]);
        }
    });

    it('repacks with another excess address, keeping the signature valid', () => {
        const env = signEnvelope({ kind: 'charge', queryId: 9n, newTokens: 3n, expectedMyAddress: me }, proxyKeys.secretKey, wallet);
        const repacked = repackEnvelope(env, other);
        const a = parseEnvelope(env);
        const b = parseEnvelope(repacked);
        expect(b.sendExcessesTo.equals(other)).toBe(true);
        expect(b.signature.equals(a.signature) && b.payload.equals(a.payload)).toBe(true);
        expect(validateEnvelope(repacked, { publicKey: proxyKeys.publicKey, kinds: ['charge'], address: me }).payload.newTokens).toBe(3n);
    });

    it('a repacked payout is accepted on-chain and the excess goes to the new address', async () => {
        const s = await paymentsSandbox();
        s.blockchain.now = Math.floor(Date.now() / 1000);
        await s.clientOwner.send({ to: s.client.address, value: toNano('2.7'), body: beginCell().storeUint(0xf172e6c2, 32).storeUint(1, 64).storeCoins(toNano('2')).storeAddress(s.clientOwner.address).endCell() });
        const env = signEnvelope({ kind: 'payout', queryId: 4n, newTokens: 10n, expectedMyAddress: s.worker.address }, proxyKeys.secretKey, s.submitter.address);
        const r = await s.workerOwner.send({ to: s.worker.address, value: toNano('0.5'), body: repackEnvelope(env, s.workerOwner.address) });
        expect(r.transactions).toHaveTransaction({ from: s.proxy.address, to: s.workerOwner.address, body: excessBody(4n) });
    });

    it('validates a received envelope the way the contract will', () => {
        const expectation = { publicKey: proxyKeys.publicKey, kinds: ['payout' as const], address: me };
        const good = signEnvelope({ kind: 'payout', queryId: 1n, newTokens: 2n, expectedMyAddress: me }, proxyKeys.secretKey, wallet);
        expect(validateEnvelope(good, expectation).envelope.queryId).toBe(1n);
        const cases: [ReturnType<typeof signEnvelope>, string][] = [
            [signEnvelope({ kind: 'charge', queryId: 1n, newTokens: 2n, expectedMyAddress: me }, proxyKeys.secretKey, wallet), 'envelope is a charge, expected payout'],
            [signEnvelope({ kind: 'payout', queryId: 1n, newTokens: 2n, expectedMyAddress: other }, proxyKeys.secretKey, wallet), `payload is for ${other.toRawString()}, not ${me.toRawString()}`],
            [signEnvelope({ kind: 'payout', queryId: 1n, newTokens: 2n, expectedMyAddress: me }, wrongKeys.secretKey, wallet), 'signature does not verify with the proxy key'],
        ];
        const p = payloadCell({ kind: 'payout', queryId: 2n, newTokens: 2n, expectedMyAddress: me });
        cases.push([envelopeCell({ kind: 'payout', queryId: 1n, sendExcessesTo: wallet, signature: sign(p.hash(), proxyKeys.secretKey), payload: p }), 'payload op or query_id differs from the envelope']);
        for (const [cell, message] of cases) {
            expect(() => validateEnvelope(cell, expectation)).toThrow(new SignedEnvelopeError(message));
        }
    });

    it('names malformed input', () => {
        expect(() => parseEnvelope(beginCell().storeUint(0x12345678, 32).endCell())).toThrow(new SignedEnvelopeError('op 0x12345678 is not a signed COCOON op'));
        const env = signEnvelope({ kind: 'payout', queryId: 1n, newTokens: 2n, expectedMyAddress: me }, proxyKeys.secretKey, wallet);
        const trailing = beginCell().storeSlice(env.beginParse()).storeUint(1, 1).endCell();
        expect(() => parseEnvelope(trailing)).toThrow(new SignedEnvelopeError('signed envelope has trailing data'));
        expect(() => parseEnvelope(beginCell().storeUint(SignedOp.payout, 32).endCell())).toThrow(SignedEnvelopeError);
        expect(() => payloadCell({ kind: 'payout', queryId: 1n, expectedMyAddress: me })).toThrow(new SignedEnvelopeError('a payout payload needs newTokens'));
        expect(() => payloadCell({ kind: 'closeRequest', queryId: 1n, newTokens: 1n, expectedMyAddress: me })).toThrow(
            new SignedEnvelopeError('a closeRequest payload has no token counter'),
        );
        expect(() => envelopeCell({ kind: 'payout', queryId: 1n, sendExcessesTo: me, signature: Buffer.alloc(10), payload: env.refs[0] })).toThrow(
            new SignedEnvelopeError('signature is 10 bytes, expected 64'),
        );
    });
});
