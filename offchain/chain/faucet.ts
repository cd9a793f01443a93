import { Address } from '@ton/core';
import { ChainApiError, ChainUnavailableError } from './errors';

export interface FaucetReceipt {
    address: string;
    amount: bigint;
    lt: bigint;
    hash: string;
    balance: bigint;
}

/**
 * Asks a devnet faucet (`POST <devnet>/faucet`) to fund `address`; resolves once the transfer has executed.
 * `faucetUrl` is the devnet's base URL or its JSON-RPC endpoint (the faucet path is derived from either).
 */
export async function requestFaucet(faucetUrl: string, address: Address | string, amount: bigint): Promise<FaucetReceipt> {
    const url = new URL(faucetUrl);
    url.pathname = '/faucet';
    url.search = '';
    let res: Response;
    try {
        res = await fetch(url, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ address: address.toString(), amount: amount.toString() }),
        });
    } catch (e) {
        throw new ChainUnavailableError('faucet', 1, (e as Error).message);
    }
    const body = (await res.json().catch(() => ({}))) as { ok?: boolean; error?: string; code?: number; result?: Record<string, string> };
    if (!res.ok || !body.ok || !body.result) {
        throw new ChainApiError('faucet', body.code ?? res.status, body.error ?? `HTTP ${res.status}`, url.toString());
    }
    const r = body.result;
    return { address: r.address, amount: BigInt(r.amount), lt: BigInt(r.lt), hash: r.hash, balance: BigInt(r.balance) };
}
