import { Address, Cell, toNano } from '@ton/core';
import { UIProvider } from '@ton/blueprint';
import { DescriptorError, MAX_DESCRIPTOR_BYTES_REGISTER, validateDescriptor } from '../../wrappers/descriptor';

/** A command-line or interactive argument that failed validation; the message names the argument and the problem. */
export class ArgumentError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ArgumentError';
    }
}

function fail(name: string, value: string, problem: string): never {
    throw new ArgumentError(`${name}: ${JSON.stringify(value)} ${problem}`);
}

export function parseAddress(name: string, value: string): Address {
    try {
        return Address.parse(value.trim());
    } catch {
        return fail(name, value, 'is not a TON address (raw 0:<hex> or user-friendly)');
    }
}

/** TON amount in decimal TON units ("1.5" = 1.5 TON), at most 9 decimals, not negative. */
export function parseCoins(name: string, value: string): bigint {
    const v = value.trim();
    if (!/^\d+(\.\d{1,9})?$/.test(v)) {
        return fail(name, value, 'is not an amount of TON (e.g. 1.5, at most 9 decimals)');
    }
    const nano = toNano(v);
    if (nano >= 1n << 120n) {
        return fail(name, value, 'is too large for a Coins field');
    }
    return nano;
}

/** Amount in nanoTON (an integer), for fields such as per-token prices that are tiny. */
export function parseNano(name: string, value: string): bigint {
    const v = value.trim();
    if (!/^\d+$/.test(v)) {
        return fail(name, value, 'is not a whole number of nanoTON');
    }
    const n = BigInt(v);
    if (n >= 1n << 120n) {
        return fail(name, value, 'is too large for a Coins field');
    }
    return n;
}

/** Unsigned integer that fits in `bits` bits (decimal, or hex with 0x). */
export function parseUint(name: string, value: string, bits: number): bigint {
    const v = value.trim();
    if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(v)) {
        return fail(name, value, 'is not an unsigned integer');
    }
    const n = BigInt(v);
    if (n >= 1n << BigInt(bits)) {
        return fail(name, value, `does not fit in ${bits} bits`);
    }
    return n;
}

/** Like `parseUint`, for values that are plain JS numbers (≤ 32 bits). */
export function parseSmallUint(name: string, value: string, bits: number): number {
    if (bits > 48) {
        throw new RangeError('parseSmallUint is for widths up to 48 bits');
    }
    return Number(parseUint(name, value, bits));
}

function parseHex32(name: string, value: string, what: string): Buffer {
    const v = value.trim().replace(/^0x/i, '');
    if (!/^[0-9a-fA-F]{64}$/.test(v)) {
        return fail(name, value, `is not ${what} (64 hex digits)`);
    }
    return Buffer.from(v, 'hex');
}

/** A 256-bit hash as 64 hex digits (optionally 0x-prefixed), returned as an unsigned integer. */
export function parseHash256(name: string, value: string): bigint {
    return BigInt('0x' + parseHex32(name, value, 'a 256-bit hash').toString('hex'));
}

/** An Ed25519 public key: 64 hex digits, or 32 bytes in base64. */
export function parsePublicKey(name: string, value: string): Buffer {
    const v = value.trim();
    if (/^(0x)?[0-9a-fA-F]{64}$/.test(v)) {
        return parseHex32(name, v, 'an Ed25519 public key');
    }
    const b = /^[A-Za-z0-9+/_-]{43}=?$/.test(v) ? Buffer.from(v, 'base64') : Buffer.alloc(0);
    if (b.length !== 32) {
        return fail(name, value, 'is not an Ed25519 public key (64 hex digits or 32 bytes in base64)');
    }
    return b;
}

export function parseBool(name: string, value: string): boolean {
    const v = value.trim().toLowerCase();
    if (['1', 'true', 'yes', 'y'].includes(v)) return true;
    if (['0', 'false', 'no', 'n'].includes(v)) return false;
    return fail(name, value, 'is not a boolean (true/false, yes/no, 1/0)');
}

/** A bag of cells: base64 or hex BOC with exactly one root. */
export function parseCell(name: string, value: string): Cell {
    const v = value.trim();
    const bytes = /^[0-9a-fA-F]+$/.test(v) && v.length % 2 === 0 ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
    try {
        const roots = Cell.fromBoc(bytes);
        if (roots.length !== 1) {
            return fail(name, value, `holds ${roots.length} root cells, expected 1`);
        }
        return roots[0];
    } catch (e) {
        if (e instanceof ArgumentError) throw e;
        return fail(name, value, 'is not a BOC (base64 or hex)');
    }
}

/** A proxy descriptor text ("HOST:PORT" or "HOST:PORT HOST:PORT") within `maxBytes`. */
export function parseDescriptor(name: string, value: string, maxBytes: number = MAX_DESCRIPTOR_BYTES_REGISTER): string {
    try {
        return validateDescriptor(value.trim(), maxBytes);
    } catch (e) {
        if (e instanceof DescriptorError) throw new ArgumentError(`${name}: ${e.message}`);
        throw e;
    }
}

export function parseNonEmpty(name: string, value: string): string {
    if (value.trim() === '') {
        return fail(name, value, 'is empty');
    }
    return value.trim();
}

/**
 * Reads the arguments of a `blueprint run` script in order: each reader takes the next command-line argument, or,
 * when there is none, asks through the UI. Every value is validated; bad input throws `ArgumentError`.
 */
export class ArgReader {
    private next = 0;

    constructor(
        private readonly args: string[],
        private readonly ui: UIProvider,
    ) {}

    /** The next raw argument, or the user's answer to `prompt`. */
    async raw(prompt: string): Promise<string> {
        if (this.next < this.args.length) {
            return this.args[this.next++];
        }
        this.next++;
        return this.ui.input(prompt);
    }

    /** The next argument if given on the command line, else `fallback` without asking. */
    optional(fallback: string): string {
        if (this.next < this.args.length) {
            return this.args[this.next++];
        }
        this.next++;
        return fallback;
    }

    async address(name: string): Promise<Address> {
        if (this.next >= this.args.length) {
            this.next++;
            return this.ui.inputAddress(`${name}:`);
        }
        return parseAddress(name, this.args[this.next++]);
    }

    async coins(name: string): Promise<bigint> {
        return parseCoins(name, await this.raw(`${name} (TON):`));
    }

    async nano(name: string): Promise<bigint> {
        return parseNano(name, await this.raw(`${name} (nanoTON):`));
    }

    async uint(name: string, bits: number): Promise<bigint> {
        return parseUint(name, await this.raw(`${name} (uint${bits}):`), bits);
    }

    async smallUint(name: string, bits: number): Promise<number> {
        return parseSmallUint(name, await this.raw(`${name} (uint${bits}):`), bits);
    }

    async hash256(name: string): Promise<bigint> {
        return parseHash256(name, await this.raw(`${name} (64 hex digits):`));
    }

    async publicKey(name: string): Promise<Buffer> {
        return parsePublicKey(name, await this.raw(`${name} (Ed25519 key, hex or base64):`));
    }

    async bool(name: string): Promise<boolean> {
        return parseBool(name, await this.raw(`${name} (yes/no):`));
    }

    async cell(name: string): Promise<Cell> {
        return parseCell(name, await this.raw(`${name} (BOC, base64 or hex):`));
    }

    async descriptor(name: string, maxBytes: number = MAX_DESCRIPTOR_BYTES_REGISTER): Promise<string> {
        return parseDescriptor(name, await this.raw(`${name} ("HOST:PORT" or "HOST:PORT HOST:PORT"):`), maxBytes);
    }

    async text(name: string): Promise<string> {
        return parseNonEmpty(name, await this.raw(`${name}:`));
    }

    /** One of fixed choices; on the command line by name, interactively through a menu. */
    async choice<T extends string>(name: string, choices: readonly T[]): Promise<T> {
        if (this.next >= this.args.length) {
            this.next++;
            return this.ui.choose(`${name}:`, [...choices], (c) => c);
        }
        const v = this.args[this.next++];
        if (!(choices as readonly string[]).includes(v)) {
            return fail(name, v, `is not one of ${choices.join(', ')}`);
        }
        return v as T;
    }
}
