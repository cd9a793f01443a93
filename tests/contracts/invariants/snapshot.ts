// What the invariant checks compare before and after each step: every account's TON balance and the accounting
// state of the proxy, client and worker contracts.
import { Address } from '@ton/core';
import { ClientContractState, readClientState } from '../../../wrappers/client';
import { readWorkerState, WorkerContractState } from '../../../wrappers/worker';
import { ProxyContractState, readProxyState } from '../../../wrappers/proxy';
import { World } from './world';

export interface Snapshot {
    /** TON balance of every account seen so far, by raw address. */
    balances: Map<string, bigint>;
    proxy: ProxyContractState;
    clients: ClientContractState[];
    workers: WorkerContractState[];
}

/**
 * Reads the state after a step. Only accounts that had a transaction (`touched`, raw addresses) are read again:
 * the others cannot have changed (even storage fees are only taken in a transaction). `known` grows with every address that appears in a transaction.
 */
export async function takeSnapshot(world: World, known: Set<string>, prev: Snapshot | null, touched: Set<string>): Promise<Snapshot> {
    const balances = new Map<string, bigint>();
    for (const a of known) {
        const old = prev?.balances.get(a);
        balances.set(a, old !== undefined && !touched.has(a) ? old : (await world.blockchain.getContract(Address.parseRaw(a))).balance);
    }
    const kept = <T>(a: Address, old: T | undefined): T | undefined => (touched.has(a.toRawString()) ? undefined : old);
    const clients: ClientContractState[] = [];
    for (const [i, c] of world.clients.entries()) {
        clients.push(kept(c.contract.address, prev?.clients[i]) ?? (await readClientState(c.contract)));
    }
    const workers: WorkerContractState[] = [];
    for (const [i, w] of world.workers.entries()) {
        workers.push(kept(w.contract.address, prev?.workers[i]) ?? (await readWorkerState(w.contract)));
    }
    const proxy = kept(world.proxy.address, prev?.proxy) ?? (await readProxyState(world.proxy));
    return { balances, proxy, clients, workers };
}

export const sum = (xs: Iterable<bigint>) => {
    let t = 0n;
    for (const x of xs) t += x;
    return t;
};

/** What the proxy contract owes: client balances held for it, its earnings and its stake. */
export function proxyLiabilities(s: Snapshot): bigint {
    return sum(s.clients.map((c) => c.balance)) + s.proxy.balance + s.proxy.stake;
}
