// Runs one action and takes the snapshot after it; shared by the invariant test and the tests of its checks.
import { Address, Transaction } from '@ton/core';
import { Action } from './ops';
import { targetTx } from './checks';
import { exitCodeOf } from '../payments.fixtures';
import { Snapshot, takeSnapshot } from './snapshot';
import { World } from './world';

function addressesOf(tx: Transaction): Address[] {
    const out: Address[] = [];
    const info = tx.inMessage?.info;
    if (info?.type === 'internal') out.push(info.src, info.dest);
    if (info?.type === 'external-in') out.push(info.dest);
    for (const m of tx.outMessages.values()) if (m.info.type === 'internal') out.push(m.info.dest);
    return out;
}

/** Raw addresses of every account whose balance the conservation check sums: all treasuries and contracts. */
export function knownAccounts(world: World): Set<string> {
    const known = new Set<string>();
    const all = [...world.treasuries, world.root, world.proxy, ...world.clients.map((c) => c.contract), ...world.workers.map((w) => w.contract)];
    all.forEach((c) => known.add(c.address.toRawString()));
    return known;
}

/** Runs `action`; every address in its transactions joins `known`. */
export async function execute(world: World, known: Set<string>, before: Snapshot, action: Action): Promise<{ after: Snapshot; txs: Transaction[] }> {
    const txs = (await action.run()).transactions;
    const touched = new Set<string>();
    for (const tx of txs) for (const a of addressesOf(tx)) touched.add(a.toRawString());
    touched.forEach((a) => known.add(a));
    return { after: await takeSnapshot(world, known, before, touched), txs };
}

/**
 * The step's outcome for the tally: the target's exit code, then the proxy contract's when the target sent it a
 * request that ran ("0→5": the proxy rejected it and it bounced); "n/a" without a target.
 */
export function outcomeOf(world: World, action: Action, txs: Transaction[]): string {
    const tx = targetTx(action, txs);
    if (!tx || !action.target) return 'n/a';
    const member = action.target.to;
    const proxyTx = txs.find((x) => {
        const info = x.inMessage?.info;
        const ran = x.description.type === 'generic' && x.description.computePhase.type === 'vm';
        return info?.type === 'internal' && info.src.equals(member) && info.dest.equals(world.proxy.address) && ran;
    });
    return String(exitCodeOf(tx) ?? 'skipped') + (proxyTx ? `→${exitCodeOf(proxyTx)}` : '');
}
