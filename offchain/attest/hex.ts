/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
    return view(bytes).toString('hex');
}

/** Strict hex decoding: even length, hex digits only (Buffer.from silently stops at the first bad digit). */
export function fromHex(hex: string): Uint8Array | undefined {
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
    return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
    return a.length === b.length && Buffer.compare(view(a), view(b)) === 0;
}

/** The same memory as a Buffer, not a copy. */
function view(bytes: Uint8Array): Buffer {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
