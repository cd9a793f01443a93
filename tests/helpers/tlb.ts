import { readFileSync } from 'fs';
import { join } from 'path';
import { Address, beginCell, Builder, Cell, Slice } from '@ton/core';

/** One field of a TL-B constructor, e.g. `query_id:uint64`. */
export interface TlbField {
    name: string;
    type: string;
}

/** One constructor: `name#tag fields = Result`. */
export interface TlbConstructor {
    name: string;
    tag: { value: bigint; bits: number } | null;
    fields: TlbField[];
    result: string;
}

export class TlbError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'TlbError';
    }
}

/** Splits on whitespace outside parentheses and braces. */
function tokens(text: string): string[] {
    const out: string[] = [];
    let depth = 0;
    let cur = '';
    for (const ch of text) {
        if (ch === '(' || ch === '{') depth++;
        if (ch === ')' || ch === '}') depth--;
        if (/\s/.test(ch) && depth === 0) {
            if (cur) out.push(cur);
            cur = '';
        } else {
            cur += ch;
        }
    }
    if (cur) out.push(cur);
    return out;
}

function parseConstructor(decl: string): TlbConstructor {
    const [lhs, result] = decl.split('=').map((s) => s.trim());
    const [head, ...rest] = tokens(lhs);
    const m = /^([a-z_0-9]+)(?:#([0-9a-f]+)|\$([01]+|_))?$/.exec(head);
    if (!m) throw new TlbError(`bad constructor head ${head}`);
    const tag = m[2]
        ? { value: BigInt('0x' + m[2]), bits: m[2].length * 4 }
        : m[3] && m[3] !== '_'
          ? { value: BigInt('0b' + m[3]), bits: m[3].length }
          : null;
    const fields = rest
        .filter((t) => !t.startsWith('{'))
        .map((t) => {
            const i = t.indexOf(':');
            if (i < 0) throw new TlbError(`field without a type in ${decl}`);
            return { name: t.slice(0, i), type: t.slice(i + 1) };
        });
    return { name: m[1], tag, fields, result: result.split(' ')[0] };
}

/** Reads every constructor of contracts/messages.tlb, by name. */
export function loadTlb(path = join(__dirname, '../../contracts/messages.tlb')): Map<string, TlbConstructor> {
    const text = readFileSync(path, 'utf-8').replace(/\/\/[^\n]*/g, '');
    const out = new Map<string, TlbConstructor>();
    for (const decl of text.split(';').map((d) => d.replace(/\s+/g, ' ').trim()).filter(Boolean)) {
        const c = parseConstructor(decl);
        out.set(c.name, c);
    }
    return out;
}

export type TlbValue = bigint | number | boolean | Address | Cell | Buffer | null | { [k: string]: TlbValue };

function unparen(t: string): string {
    return t.startsWith('(') && t.endsWith(')') ? t.slice(1, -1).trim() : t;
}

/**
 * Stores `values` following a constructor's field list: uintN, intN, bitsN, (bits (len * 8)), Coins, Bool,
 * MsgAddressInt, ^Cell, ^Type / (Maybe ^Type) (value: a Cell), and inline named types (value: an object).
 */
export function storeTlb(tlb: Map<string, TlbConstructor>, c: TlbConstructor, values: Record<string, TlbValue>, b: Builder = beginCell()): Builder {
    if (c.tag) b.storeUint(c.tag.value, c.tag.bits);
    for (const f of c.fields) {
        const v = values[f.name];
        const t = unparen(f.type);
        let m: RegExpExecArray | null;
        if ((m = /^uint(\d+)$/.exec(t))) b.storeUint(v as bigint, Number(m[1]));
        else if ((m = /^int(\d+)$/.exec(t))) b.storeInt(v as bigint, Number(m[1]));
        else if ((m = /^bits(\d+)$/.exec(t))) b.storeBuffer(v as Buffer, Number(m[1]) / 8);
        else if (/^bits \(len \* 8\)$/.test(t)) b.storeBuffer(v as Buffer);
        else if (t === 'Coins') b.storeCoins(v as bigint);
        else if (t === 'Bool') b.storeBit(v as boolean);
        else if (t === 'MsgAddressInt') b.storeAddress(v as Address);
        else if (t.startsWith('^')) b.storeRef(v as Cell);
        else if (/^Maybe \^/.test(t)) b.storeMaybeRef(v as Cell | null);
        else {
            const sub = [...tlb.values()].filter((x) => x.result === t);
            if (sub.length !== 1) throw new TlbError(`field ${f.name}: type ${t} is not supported`);
            storeTlb(tlb, sub[0], v as Record<string, TlbValue>, b);
        }
    }
    return b;
}

/** Reads a body following a constructor's field list (inverse of `storeTlb` for the same types). */
export function loadTlbFields(tlb: Map<string, TlbConstructor>, c: TlbConstructor, s: Slice): Record<string, TlbValue> {
    if (c.tag && s.loadUintBig(c.tag.bits) !== c.tag.value) throw new TlbError(`${c.name}: wrong tag`);
    const out: Record<string, TlbValue> = {};
    for (const f of c.fields) {
        const t = unparen(f.type);
        let m: RegExpExecArray | null;
        if ((m = /^uint(\d+)$/.exec(t))) out[f.name] = s.loadUintBig(Number(m[1]));
        else if ((m = /^int(\d+)$/.exec(t))) out[f.name] = s.loadIntBig(Number(m[1]));
        else if ((m = /^bits(\d+)$/.exec(t))) out[f.name] = s.loadBuffer(Number(m[1]) / 8);
        else if (/^bits \(len \* 8\)$/.test(t)) out[f.name] = s.loadBuffer(Number(out.len));
        else if (t === 'Coins') out[f.name] = s.loadCoins();
        else if (t === 'Bool') out[f.name] = s.loadBit();
        else if (t === 'MsgAddressInt') out[f.name] = s.loadAddress();
        else if (t.startsWith('^')) out[f.name] = s.loadRef();
        else if (/^Maybe \^/.test(t)) out[f.name] = s.loadMaybeRef();
        else {
            const sub = [...tlb.values()].filter((x) => x.result === t);
            if (sub.length !== 1) throw new TlbError(`field ${f.name}: type ${t} is not supported`);
            out[f.name] = loadTlbFields(tlb, sub[0], s);
        }
    }
    return out;
}

/** The constructor `name`, or a clear error. */
export function tlbConstructor(tlb: Map<string, TlbConstructor>, name: string): TlbConstructor {
    const c = tlb.get(name);
    if (!c) throw new TlbError(`messages.tlb has no constructor ${name}`);
    return c;
}
