import { Builder, Slice } from '@ton/core';

/**
 * A registered proxy's descriptor as the root stores it (COCOON: `type:uint1 len:uint7 bytes`, inline bits).
 * Type 0 is the only one defined: ASCII text "IP:PORT" (same endpoint for workers and clients) or
 * "IP:PORT_FOR_WORKERS IP:PORT_FOR_CLIENTS".
 */
export interface ProxyEndpoints {
    workers: string;
    clients: string;
}

/** The whole register body must fit in one cell: 1023 − 32 (op) − 64 (query_id) − 8 (type+len) bits. */
export const MAX_DESCRIPTOR_BYTES_REGISTER = 114;
/** Update carries a 32-bit seqno too. */
export const MAX_DESCRIPTOR_BYTES_UPDATE = 110;

export class DescriptorError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'DescriptorError';
    }
}

const ENDPOINT = /^[^\s:]+:(\d{1,5})$/;

function checkEndpoint(text: string, endpoint: string): void {
    const m = ENDPOINT.exec(endpoint);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) {
        throw new DescriptorError(`proxy descriptor ${JSON.stringify(text)}: ${JSON.stringify(endpoint)} is not HOST:PORT`);
    }
}

/** Validates descriptor text and splits it into the worker and client endpoints. */
export function parseDescriptorText(text: string): ProxyEndpoints {
    if (!/^[\x21-\x7e]+( [\x21-\x7e]+)?$/.test(text)) {
        throw new DescriptorError(
            `proxy descriptor ${JSON.stringify(text)} must be printable ASCII: "HOST:PORT" or "HOST:PORT HOST:PORT"`,
        );
    }
    const parts = text.split(' ');
    parts.forEach((p) => checkEndpoint(text, p));
    return { workers: parts[0], clients: parts[parts.length - 1] };
}

/** Checks the text and its length limit (`maxBytes`: register 114, update 110). */
export function validateDescriptor(text: string, maxBytes: number = MAX_DESCRIPTOR_BYTES_REGISTER): string {
    parseDescriptorText(text);
    if (text.length > maxBytes) {
        throw new DescriptorError(`proxy descriptor is ${text.length} bytes; at most ${maxBytes} fit in the message`);
    }
    return text;
}

/** Stores `type=0 ‖ len ‖ bytes`; the text is validated first. */
export function storeDescriptor(text: string, maxBytes: number = MAX_DESCRIPTOR_BYTES_REGISTER) {
    validateDescriptor(text, maxBytes);
    return (b: Builder) => {
        b.storeUint(0, 1).storeUint(text.length, 7).storeBuffer(Buffer.from(text, 'ascii'));
    };
}

/** Reads a descriptor; `type` is returned as stored (the root only accepts 0). */
export function loadDescriptor(s: Slice): { type: number; text: string } {
    const type = s.loadUint(1);
    const len = s.loadUint(7);
    return { type, text: s.loadBuffer(len).toString('latin1') };
}
