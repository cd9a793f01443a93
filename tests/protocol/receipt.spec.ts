import { keyPairFromSeed } from '@ton/crypto';
import { bodyHash, ReceiptError, signReceipt, verifyReceipt, type Receipt } from '../../offchain/protocol';

const key = keyPairFromSeed(Buffer.alloc(32, 7));
const other = keyPairFromSeed(Buffer.alloc(32, 8));
const body = '{"model":"test-model","messages":[{"role":"user","content":"hi"}]}';
const answer = 'data: {"x":1}\n\ndata: [DONE]\n\n';
const tokens = { prompt: 3, cached: 0, completion: 16, reasoning: 0, total: 19 };
const addr = (b: string) => `0:${b.repeat(64)}`;

function receipt(): Receipt {
    return signReceipt(
        {
            requestId: 'r1',
            proxyContract: addr('a'),
            clientContract: addr('b'),
            workerContract: addr('c'),
            requestHash: bodyHash(body),
            responseHash: bodyHash(answer),
            coefficient: 1000,
            tokens,
            pricePerToken: '1000',
            cost: '19000',
            clientTotal: '19',
            at: 1_800_000_000,
        },
        key.secretKey,
    );
}

const expectation = () => ({
    publicKey: key.publicKey,
    requestId: 'r1',
    proxyContract: addr('a'),
    clientContract: addr('b'),
    requestHash: bodyHash(body),
    responseHash: bodyHash(answer),
    tokens,
});

describe('receipts', () => {
    it('verify against what the client sent and received', () => {
        const r = receipt();
        expect(r.version).toBe(1);
        expect(r.signature).toMatch(/^[0-9a-f]{128}$/);
        expect(() => verifyReceipt(r, expectation())).not.toThrow();
    });

    it.each([
        ['responseHash', { responseHash: bodyHash(answer + ' ') }, 'receipt responseHash is'],
        ['requestHash', { requestHash: bodyHash('{}') }, 'receipt requestHash is'],
        ['clientContract', { clientContract: addr('d') }, 'receipt clientContract is'],
        ['tokens', { tokens: { ...tokens, completion: 17, total: 20 } }, 'differ from the answer'],
        ['publicKey', { publicKey: other.publicKey }, 'signature does not verify'],
    ])('fail when the %s differs', (_name, change, message) => {
        expect(() => verifyReceipt(receipt(), { ...expectation(), ...change })).toThrow(message);
    });

    it('fail when any signed field was altered after signing', () => {
        for (const change of [{ cost: '19001' }, { clientTotal: '20' }, { at: 1 }, { coefficient: 1001 }, { workerContract: addr('e') }]) {
            const r = { ...receipt(), ...change };
            expect(() => verifyReceipt(r, expectation())).toThrow(ReceiptError);
        }
    });

    it('fail when the cost is not tokens × price', () => {
        const r = signReceipt({ ...receipt(), cost: '5' }, key.secretKey);
        expect(() => verifyReceipt(r, expectation())).toThrow('receipt cost 5 ≠ 19 × 1000');
    });
});
