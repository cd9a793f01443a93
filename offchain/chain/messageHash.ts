import { beginCell, Message, storeMessage } from '@ton/core';

/**
 * TEP-467 normalised hash of an external message (no source, no import fee, no init, body in a ref): the same for
 * every resend of one signed body, so it identifies the wallet transaction that executed it.
 */
export function normalizedMessageHash(msg: Message): Buffer {
    if (msg.info.type !== 'external-in') throw new TypeError(`normalised hashes are for external messages, got ${msg.info.type}`);
    const normal: Message = { info: { type: 'external-in', src: null, dest: msg.info.dest, importFee: 0n }, init: null, body: msg.body };
    return beginCell().store(storeMessage(normal, { forceRef: true })).endCell().hash();
}
