import { Address, fromNano } from '@ton/core';
import type { ChainClient } from '../../chain/client';
import { requestFaucet } from '../../chain/faucet';

/**
 * Makes sure `address` holds at least `amount`: from the devnet's faucet when there is one, otherwise by asking the
 * operator (testnet) and waiting until the balance arrives.
 */
export async function ensureFunded(
    chain: ChainClient,
    faucetUrl: string | undefined,
    address: Address,
    amount: bigint,
    what: string,
    progress: (line: string) => void,
    pollMs = 2000,
): Promise<void> {
    const balance = await chain.getBalance(address);
    if (balance >= amount) return;
    if (faucetUrl) {
        await requestFaucet(faucetUrl, address, amount - balance);
        progress(`funded ${what} ${address.toString()} with ${fromNano(amount - balance)} TON from the devnet faucet`);
        return;
    }
    progress(`ACTION REQUIRED: send ${fromNano(amount - balance)} TON to ${what} ${address.toString()}; waiting for it`);
    while ((await chain.getBalance(address)) < amount) await new Promise((r) => setTimeout(r, pollMs));
    progress(`${what} funded`);
}
