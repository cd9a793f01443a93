import { ReceiptError, verifyReceipt, type ProxyInfo, type Receipt } from '../protocol';
import type { ClientStore } from './store';

/**
 * Checks a receipt that came without its answer (the client crashed, lost its connection or cancelled the request
 * first) against the request as recorded before it was sent, and keeps it. The answer never arrived whole here, so
 * its hash and token counts are the proxy's word, bound by its signature. Returns why it was refused, or null once
 * stored.
 */
export function keepLateReceipt(store: ClientStore, receipt: Receipt, proxy: ProxyInfo, clientContract: string): string | null {
    const pending = store.pending(receipt.requestId);
    if (!pending) return `no request ${receipt.requestId} of this client is waiting for a receipt`;
    try {
        verifyReceipt(receipt, {
            publicKey: Buffer.from(proxy.publicKey, 'hex'),
            requestId: pending.requestId,
            proxyContract: proxy.contract,
            clientContract,
            requestHash: pending.requestHash,
            responseHash: receipt.responseHash,
            tokens: receipt.tokens,
        });
    } catch (e) {
        if (e instanceof ReceiptError) return e.message;
        throw e;
    }
    store.addReceipt({ requestId: pending.requestId, path: pending.path, model: pending.model, receipt });
    return null;
}
