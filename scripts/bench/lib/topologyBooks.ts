// The topology bench's end: what every contract holds, and the checks that the chain agrees with the clients'
// receipts to the nanoTON.
import type { Address } from '@ton/core';
import type { ChainClient } from '../../../offchain/chain/client';
import { readClientContract, readProxyContract, readWorkerContract } from '../../../offchain/chain/cocoon/contracts';
import { LOCAL_PRICES } from '../../../offchain/cli/up/network';
import { mapLimit } from './parallel';
import type { ClientBooks } from './topologyHost';

/** Get-method reads at once against the devnet. */
const READS_AT_ONCE = 32;

export interface ChainBooks {
    clients: { tokensUsed: bigint; balance: bigint }[];
    workerTokens: bigint[];
    proxyBalances: bigint[];
}

export async function readBooks(chain: ChainClient, c: { clients: Address[]; workers: Address[]; proxies: Address[] }): Promise<ChainBooks> {
    const clients = await mapLimit(c.clients, READS_AT_ONCE, async (a) => {
        const s = await readClientContract(chain, a);
        return { tokensUsed: s.tokensUsed, balance: s.balance };
    });
    const workerTokens = await mapLimit(c.workers, READS_AT_ONCE, async (a) => (await readWorkerContract(chain, a)).tokens);
    const proxyBalances = await mapLimit(c.proxies, READS_AT_ONCE, async (a) => (await readProxyContract(chain, a)).balance);
    return { clients, workerTokens, proxyBalances };
}

export interface BooksCheck {
    checks: number;
    /** One line per check that failed, naming the account and both figures. */
    mismatches: string[];
}

/**
 * Every client contract charged exactly its receipts' tokens and its balance down by their price; every worker
 * contract paid exactly the tokens of the receipts naming it; every proxy's earnings up by its clients' tokens ×
 * (price − worker fee); the receipts name the client's own contract. `clientProxy[i]` is the index of client i's proxy.
 */
export function checkBooks(
    before: ChainBooks,
    after: ChainBooks,
    receipts: ClientBooks[],
    clients: Address[],
    workers: Address[],
    clientProxy: number[],
): BooksCheck {
    const mismatches: string[] = [];
    let checks = 0;
    const expect = (what: string, got: bigint, want: bigint) => {
        checks++;
        if (got !== want) mismatches.push(`${what}: ${got}, receipts say ${want}`);
    };
    const paidPerWorker = new Map<string, bigint>();
    const earned = before.proxyBalances.map(() => 0n);
    receipts.forEach((r, i) => {
        const tokens = BigInt(r.tokens);
        checks++;
        if (r.receipts > 0 && r.clientContract !== clients[i].toRawString()) mismatches.push(`client ${i}'s receipts name ${r.clientContract}, not its contract`);
        expect(`client ${i} tokens charged`, after.clients[i].tokensUsed - before.clients[i].tokensUsed, tokens);
        expect(`client ${i} balance spent`, before.clients[i].balance - after.clients[i].balance, tokens * LOCAL_PRICES.pricePerToken);
        earned[clientProxy[i]] += tokens * (LOCAL_PRICES.pricePerToken - LOCAL_PRICES.workerFeePerToken);
        for (const [w, t] of Object.entries(r.byWorker)) paidPerWorker.set(w, (paidPerWorker.get(w) ?? 0n) + BigInt(t));
    });
    workers.forEach((w, i) => expect(`worker ${i} tokens paid`, after.workerTokens[i] - before.workerTokens[i], paidPerWorker.get(w.toRawString()) ?? 0n));
    earned.forEach((e, i) => expect(`proxy ${i} earnings`, after.proxyBalances[i] - before.proxyBalances[i], e));
    const known = new Set(workers.map((w) => w.toRawString()));
    for (const w of paidPerWorker.keys()) {
        checks++;
        if (!known.has(w)) mismatches.push(`receipts name a worker contract ${w} that is not in the topology`);
    }
    return { checks, mismatches };
}
