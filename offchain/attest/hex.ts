/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
    return view(bytes).toString('hex');
}

/** Strict hex decoding: even length, hex digits only (Buffer.from silently stops at the first bad digit). */
export function fromHex(hex: string): Uint8Array | undefined {
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
    return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** For the short values compared on every quote (names, signatures): a loop allocates nothing, unlike Buffer views. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
}

/** The same memory as a Buffer, not a copy. */
function view(bytes: Uint8Array): Buffer {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
