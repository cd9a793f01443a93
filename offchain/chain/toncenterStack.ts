/**
 * The TVM stack in toncenter's API v2 encoding, both directions.
 *
 * Get-method arguments go in as `[type, value]` pairs (`["num", "12"]`, `["tvm.Cell", base64]`, …). Results come out
 * as `["num", "0x…"]`, `["cell", {bytes}]` (slices and builders are rendered as cells, as tonlib does),
 * `["tuple", {elements}]` and `["list", {elements}]` whose elements use tonlib's `tvm.stackEntry*` objects; TVM null
 * is an empty list. `TonClient`'s own parser turns tuple elements into bare values, which breaks `TupleReader`, so
 * off-chain code decodes results with `decodeResultStack` instead.
 */
import { Cell, TupleItem } from '@ton/core';
import { StackCodecError } from './errors';

export type ToncenterStackEntry = [string, unknown];

/* ---------- arguments: what a client sends ---------- */

export function encodeArgStack(items: TupleItem[]): ToncenterStackEntry[] {
    return items.map((item, i) => {
        switch (item.type) {
            case 'int':
                return ['num', item.value.toString()];
            case 'cell':
                return ['tvm.Cell', item.cell.toBoc().toString('base64')];
            case 'slice':
                return ['tvm.Slice', item.cell.toBoc().toString('base64')];
            case 'builder':
                return ['tvm.Builder', item.cell.toBoc().toString('base64')];
            default:
                throw new StackCodecError(`argument ${i}: toncenter cannot pass a ${item.type} to a get method`);
        }
    });
}

/** Parses get-method arguments as toncenter accepts them; throws `StackCodecError` naming the bad entry. */
export function decodeArgStack(raw: unknown): TupleItem[] {
    if (!Array.isArray(raw)) throw new StackCodecError('stack must be an array of [type, value] pairs');
    return raw.map((entry, i) => {
        if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') {
            throw new StackCodecError(`stack entry ${i} must be a [type, value] pair`);
        }
        const [type, value] = entry as [string, unknown];
        switch (type) {
            case 'num':
            case 'number':
            case 'int':
                return { type: 'int', value: parseInteger(value, `stack entry ${i}`) };
            case 'cell':
            case 'tvm.Cell':
                return { type: 'cell', cell: parseBocValue(value, `stack entry ${i}`) };
            case 'slice':
            case 'tvm.Slice':
                return { type: 'slice', cell: parseBocValue(value, `stack entry ${i}`) };
            case 'builder':
            case 'tvm.Builder':
                return { type: 'builder', cell: parseBocValue(value, `stack entry ${i}`) };
            default:
                throw new StackCodecError(`stack entry ${i}: unsupported type '${type}'`);
        }
    });
}

/* ---------- results: what the API answers ---------- */

export function encodeResultStack(items: TupleItem[]): ToncenterStackEntry[] {
    return items.map((item) => {
        switch (item.type) {
            case 'int':
                return ['num', toHex(item.value)];
            case 'nan':
                return ['num', 'NaN'];
            case 'null':
                return ['list', { '@type': 'tvm.list', elements: [] }];
            case 'cell':
            case 'slice':
            case 'builder':
                return ['cell', { bytes: item.cell.toBoc().toString('base64'), object: cellObject(item.cell) }];
            case 'tuple':
                return ['tuple', { '@type': 'tvm.tuple', elements: item.items.map(encodeEntry) }];
        }
    });
}

export function decodeResultStack(raw: unknown): TupleItem[] {
    if (!Array.isArray(raw)) throw new StackCodecError('result stack is not an array');
    return raw.map((entry, i) => {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string') {
            throw new StackCodecError(`result stack entry ${i} is not a [type, value] pair`);
        }
        const [type, value] = entry as [string, unknown];
        const where = `result stack entry ${i}`;
        switch (type) {
            case 'num':
                return value === 'NaN' ? { type: 'nan' } : { type: 'int', value: parseInteger(value, where) };
            case 'null':
                return { type: 'null' };
            case 'cell':
                return { type: 'cell', cell: parseBocValue(value, where) };
            case 'slice':
                return { type: 'slice', cell: parseBocValue(value, where) };
            case 'builder':
                return { type: 'builder', cell: parseBocValue(value, where) };
            case 'tuple':
            case 'list':
                return decodeElements(type, value, where);
            default:
                throw new StackCodecError(`${where}: unsupported type '${type}'`);
        }
    });
}

function encodeEntry(item: TupleItem): object {
    switch (item.type) {
        case 'int':
            return { '@type': 'tvm.stackEntryNumber', number: { '@type': 'tvm.numberDecimal', number: item.value.toString() } };
        case 'nan':
            return { '@type': 'tvm.stackEntryNumber', number: { '@type': 'tvm.numberDecimal', number: 'NaN' } };
        case 'null':
            return { '@type': 'tvm.stackEntryList', list: { '@type': 'tvm.list', elements: [] } };
        case 'cell':
            return { '@type': 'tvm.stackEntryCell', cell: { '@type': 'tvm.cell', bytes: item.cell.toBoc().toString('base64') } };
        case 'slice':
        case 'builder':
            return { '@type': 'tvm.stackEntrySlice', slice: { '@type': 'tvm.slice', bytes: item.cell.toBoc().toString('base64') } };
        case 'tuple':
            return { '@type': 'tvm.stackEntryTuple', tuple: { '@type': 'tvm.tuple', elements: item.items.map(encodeEntry) } };
    }
}

function decodeElements(kind: string, value: unknown, where: string): TupleItem {
    const elements = (value as { elements?: unknown } | null)?.elements;
    if (!Array.isArray(elements)) throw new StackCodecError(`${where}: ${kind} without an elements array`);
    if (kind === 'list' && elements.length === 0) return { type: 'null' };
    return { type: 'tuple', items: elements.map((e, j) => decodeEntry(e, `${where}.${j}`)) };
}

function decodeEntry(raw: unknown, where: string): TupleItem {
    const e = raw as Record<string, unknown> | null;
    const type = e?.['@type'];
    switch (type) {
        case 'tvm.stackEntryNumber':
            return decodeEntry(e!.number, where);
        case 'tvm.numberDecimal':
            return e!.number === 'NaN' ? { type: 'nan' } : { type: 'int', value: parseInteger(e!.number, where) };
        case 'tvm.stackEntryCell':
            return decodeEntry(e!.cell, where);
        case 'tvm.cell':
            return { type: 'cell', cell: parseBocValue(e!.bytes, where) };
        case 'tvm.stackEntrySlice':
            return decodeEntry(e!.slice, where);
        case 'tvm.slice':
            return { type: 'slice', cell: parseBocValue(e!.bytes, where) };
        case 'tvm.stackEntryTuple':
            return decodeEntry(e!.tuple, where);
        case 'tvm.tuple':
            return decodeElements('tuple', e, where);
        case 'tvm.stackEntryList':
            return decodeEntry(e!.list, where);
        case 'tvm.list':
            return decodeElements('list', e, where);
        default:
            throw new StackCodecError(`${where}: unsupported element type '${String(type)}'`);
    }
}

/* ---------- helpers ---------- */

function toHex(v: bigint): string {
    return v < 0n ? '-0x' + (-v).toString(16) : '0x' + v.toString(16);
}

const TVM_INT_LIMIT = 1n << 256n;

/** A TVM integer (257-bit signed). The input is quoted in errors only up to a few dozen characters. */
function parseInteger(value: unknown, where: string): bigint {
    let n: bigint | undefined;
    if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
    else if (typeof value === 'string' && /^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) {
        // Beyond 80 characters (257 bits are 78 decimal digits) the text is not even converted.
        n = value.length > 80 ? TVM_INT_LIMIT : value.startsWith('-') ? -BigInt(value.slice(1)) : BigInt(value);
    }
    if (n === undefined) throw new StackCodecError(`${where}: '${clip(String(value))}' is not an integer`);
    if (n < -TVM_INT_LIMIT || n >= TVM_INT_LIMIT) throw new StackCodecError(`${where}: '${clip(String(value))}' does not fit in a 257-bit TVM integer`);
    return n;
}

/** Long input quoted as its first characters and its length, so an error line stays one short line. */
function clip(text: string): string {
    return text.length <= 40 ? text : `${text.slice(0, 20)}… (${text.length} characters)`;
}

function parseBocValue(value: unknown, where: string): Cell {
    const b64 = typeof value === 'string' ? value : (value as { bytes?: unknown } | null)?.bytes;
    if (typeof b64 !== 'string') throw new StackCodecError(`${where}: expected a base64 BoC`);
    try {
        const roots = Cell.fromBoc(Buffer.from(b64, 'base64'));
        if (roots.length !== 1) throw new Error(`${roots.length} roots`);
        return roots[0];
    } catch (e) {
        throw new StackCodecError(`${where}: malformed BoC (${(e as Error).message})`);
    }
}

/** pytonlib's JSON rendering of a cell, which toncenter adds beside `bytes`. */
function cellObject(cell: Cell): object {
    const bits = cell.bits;
    const bytes = Buffer.alloc(Math.ceil(bits.length / 8));
    for (let i = 0; i < bits.length; i++) if (bits.at(i)) bytes[i >> 3] |= 0x80 >> (i & 7);
    return { data: { b64: bytes.toString('base64'), len: bits.length }, refs: cell.refs.map(cellObject), special: cell.isExotic };
}
