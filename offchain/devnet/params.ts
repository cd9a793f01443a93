import { Address, Cell } from '@ton/core';
import { incorrectAddress, liteServerError, validationError } from './errors';

/**
 * The parameters of one API call, from a JSON-RPC `params` object, a REST query string (all values strings) or a
 * REST JSON body. Each accessor validates and names the field it rejects.
 */
export class Params {
    constructor(private readonly raw: Record<string, unknown>) {}

    static from(value: unknown): Params {
        if (value === undefined || value === null) return new Params({});
        if (typeof value !== 'object' || Array.isArray(value)) throw validationError('params must be an object');
        return new Params(value as Record<string, unknown>);
    }

    has(name: string): boolean {
        return this.raw[name] !== undefined && this.raw[name] !== null && this.raw[name] !== '';
    }

    get(name: string): unknown {
        return this.raw[name];
    }

    private required(name: string): unknown {
        if (!this.has(name)) throw validationError(`field '${name}' is required`);
        return this.raw[name];
    }

    string(name: string): string {
        const v = this.required(name);
        if (typeof v !== 'string') throw validationError(`field '${name}' must be a string`);
        return v;
    }

    address(name = 'address'): Address {
        const v = this.string(name);
        try {
            return Address.parse(v.trim());
        } catch {
            throw incorrectAddress();
        }
    }

    integer(name: string): bigint {
        const v = this.required(name);
        if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
        if (typeof v === 'string' && /^-?[0-9]+$/.test(v.trim())) return BigInt(v.trim());
        throw validationError(`field '${name}' must be an integer`);
    }

    /** A non-negative integer given exactly: a JSON number or a string of digits only (no sign, space or point). */
    natural(name: string): bigint {
        const v = this.required(name);
        if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
        if (typeof v === 'string' && /^[0-9]{1,40}$/.test(v)) return BigInt(v);
        throw validationError(`field '${name}' must be a whole number in digits only`);
    }

    optionalInteger(name: string): bigint | undefined {
        return this.has(name) ? this.integer(name) : undefined;
    }

    boolean(name: string, fallback: boolean): boolean {
        if (!this.has(name)) return fallback;
        const v = this.raw[name];
        if (typeof v === 'boolean') return v;
        if (v === 'true' || v === '1') return true;
        if (v === 'false' || v === '0') return false;
        throw validationError(`field '${name}' must be a boolean`);
    }

    /** A transaction hash in hex or base64 (toncenter accepts both). */
    hash(name: string): Buffer {
        const v = this.string(name).trim();
        if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, 'hex');
        const b = Buffer.from(v, 'base64');
        if (b.length !== 32) throw validationError(`field '${name}' must be a 32-byte hash in hex or base64`);
        return b;
    }

    /** A base64 bag of cells with one root. Toncenter passes BoCs to tonlib, so a bad one is a 500 from "tonlib". */
    boc(name: string): Cell {
        return parseBoc(this.string(name), name);
    }

    optionalBoc(name: string): Cell | undefined {
        return this.has(name) ? this.boc(name) : undefined;
    }
}

export function parseBoc(text: string, name: string): Cell {
    const bytes = Buffer.from(text, 'base64');
    let roots: Cell[];
    try {
        roots = Cell.fromBoc(bytes);
    } catch (e) {
        throw liteServerError(`failed to parse bag of cells in '${name}': ${(e as Error).message}`);
    }
    if (roots.length !== 1) throw liteServerError(`bag of cells in '${name}' must have exactly one root, it has ${roots.length}`);
    return roots[0];
}
