import { beginCell, Cell, TupleItem } from '@ton/core';
import { StackCodecError } from '../../offchain/chain/errors';
import { decodeArgStack, decodeResultStack, encodeArgStack, encodeResultStack } from '../../offchain/chain/toncenterStack';

describe('toncenter stack codec', () => {
    const cell = beginCell().storeUint(0xdead, 16).storeRef(beginCell().storeUint(1, 1).endCell()).endCell();
    const b64 = cell.toBoc().toString('base64');

    it('encodes arguments as TonClient does and reads them back', () => {
        const args: TupleItem[] = [
            { type: 'int', value: -5n },
            { type: 'cell', cell },
            { type: 'slice', cell },
            { type: 'builder', cell },
        ];
        const enc = encodeArgStack(args);
        expect(enc).toEqual([
            ['num', '-5'],
            ['tvm.Cell', b64],
            ['tvm.Slice', b64],
            ['tvm.Builder', b64],
        ]);
        const back = decodeArgStack(enc);
        expect(back[0]).toEqual({ type: 'int', value: -5n });
        expect((back[1] as { cell: Cell }).cell.equals(cell)).toBe(true);
        expect(decodeArgStack([['num', '0x1f'], ['num', 7]])).toEqual([
            { type: 'int', value: 31n },
            { type: 'int', value: 7n },
        ]);
    });

    it('renders results in toncenter form: hex numbers, cells, tuples with tonlib entries, null as an empty list', () => {
        const items: TupleItem[] = [
            { type: 'int', value: 255n },
            { type: 'int', value: -16n },
            { type: 'null' },
            { type: 'tuple', items: [{ type: 'int', value: 3n }, { type: 'null' }, { type: 'cell', cell }] },
        ];
        const enc = encodeResultStack(items);
        expect(enc[0]).toEqual(['num', '0xff']);
        expect(enc[1]).toEqual(['num', '-0x10']);
        expect(enc[2]).toEqual(['list', { '@type': 'tvm.list', elements: [] }]);
        expect(enc[3]).toEqual([
            'tuple',
            {
                '@type': 'tvm.tuple',
                elements: [
                    { '@type': 'tvm.stackEntryNumber', number: { '@type': 'tvm.numberDecimal', number: '3' } },
                    { '@type': 'tvm.stackEntryList', list: { '@type': 'tvm.list', elements: [] } },
                    { '@type': 'tvm.stackEntryCell', cell: { '@type': 'tvm.cell', bytes: b64 } },
                ],
            },
        ]);
        const decoded = decodeResultStack(JSON.parse(JSON.stringify(enc)));
        expect(decoded.slice(0, 3)).toEqual([{ type: 'int', value: 255n }, { type: 'int', value: -16n }, { type: 'null' }]);
        const tuple = decoded[3] as Extract<TupleItem, { type: 'tuple' }>;
        expect(tuple.items[0]).toEqual({ type: 'int', value: 3n });
        expect(tuple.items[1]).toEqual({ type: 'null' });
        expect((tuple.items[2] as { cell: Cell }).cell.equals(cell)).toBe(true);
    });

    it('decodes a cell result as toncenter sends it (bytes plus pytonlib object)', () => {
        const [item] = decodeResultStack([['cell', { bytes: b64, object: { data: { b64: '3q0=', len: 16 }, refs: [] } }]]);
        expect(item.type).toBe('cell');
    });

    it('names the bad entry', () => {
        expect(() => decodeArgStack([['num', 'twelve']])).toThrow(new StackCodecError("stack entry 0: 'twelve' is not an integer"));
        expect(() => decodeArgStack([['cell', 'AAAA']])).toThrow(/^stack entry 0: malformed BoC/);
        expect(() => decodeArgStack('[]')).toThrow('stack must be an array of [type, value] pairs');
        expect(() => encodeArgStack([{ type: 'null' }])).toThrow('argument 0: toncenter cannot pass a null to a get method');
        expect(() => decodeResultStack([['tuple', { elements: [{ '@type': 'tvm.weird' }] }]])).toThrow("result stack entry 0.0: unsupported element type 'tvm.weird'");
    });

    it('takes exactly the 257-bit TVM integers, and quotes a long value only by its start and length', () => {
        const max = (1n << 256n) - 1n;
        expect(decodeArgStack([['num', max.toString()], ['num', `-${1n << 256n}`]])).toEqual([
            { type: 'int', value: max },
            { type: 'int', value: -(1n << 256n) },
        ]);
        expect(() => decodeArgStack([['num', (1n << 256n).toString()]])).toThrow(
            new StackCodecError("stack entry 0: '11579208923731619542… (78 characters)' does not fit in a 257-bit TVM integer"),
        );
        expect(() => decodeArgStack([['num', 'x'.repeat(1000)]])).toThrow(new StackCodecError("stack entry 0: 'xxxxxxxxxxxxxxxxxxxx… (1000 characters)' is not an integer"));
    });
});
