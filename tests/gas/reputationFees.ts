// What one reputation snapshot costs the proxy: published through its own CocoonWallet (external import, wallet
// gas, forwarding the snapshot, the proxy's gas, the excess back), and the storage rent of keeping it on the
// proxy contract. Measured in the sandbox with the network's fee config.
import { Address, Cell, toNano } from '@ton/core';
import { paymentsSandbox } from '../contracts/payments.setup';
import { proxyKeys } from '../contracts/payments.fixtures';
import { deployProxyWallet, sendFromWallet } from './walletSend';
import { reputationSnapshotCell, signReputationSnapshot, WorkerReputation } from '../../wrappers/reputation';

export interface SnapshotFee {
    workers: number;
    cells: number;
    bits: number;
    /** Nanotons the proxy's wallet spends to publish it. */
    publishFee: bigint;
    /** Nanotons of storage rent per day for keeping it on the proxy contract. */
    storagePerDay: bigint;
    /** Transactions of the publishing chain (the wallet's first). */
    transactions: number;
}

const DAY = 86_400;

function countTree(c: Cell, seen = new Set<string>()): { cells: number; bits: number } {
    const h = c.hash().toString('hex');
    if (seen.has(h)) return { cells: 0, bits: 0 };
    seen.add(h);
    let cells = 1;
    let bits = c.bits.length;
    for (const r of c.refs) {
        const t = countTree(r, seen);
        cells += t.cells;
        bits += t.bits;
    }
    return { cells, bits };
}

/** `n` distinct worker addresses with typical figures. */
export function sampleEntries(n: number): [Address, WorkerReputation][] {
    return Array.from({ length: n }, (_, i) => {
        const hash = Buffer.alloc(32, 0x5a);
        hash.writeUInt32BE(i, 0);
        return [new Address(0, hash), { requests: 1_000 + i, failures: i % 13, ttftP50Ms: 120 + (i % 50), tokensPerSecondP50x100: 4_500 + i, score: 9_000 - (i % 1_000) }];
    });
}

/** Storage rent the proxy contract pays over one day, read from a transaction's storage phase. */
async function rentPerDay(s: Awaited<ReturnType<typeof paymentsSandbox>>, from: Address): Promise<bigint> {
    s.blockchain.now = s.blockchain.now! + DAY;
    const r = await s.blockchain.sendMessage({
        info: { type: 'internal', ihrDisabled: true, bounce: false, bounced: false, src: from, dest: s.proxy.address, value: { coins: toNano('0.01') }, ihrFee: 0n, forwardFee: 0n, createdLt: 0n, createdAt: 0 },
        body: Cell.EMPTY,
    });
    const tx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === s.proxy.address.toString())!;
    const d = tx.description;
    if (d.type !== 'generic' || !d.storagePhase) throw new Error('no storage phase');
    return d.storagePhase.storageFeesCollected;
}

export async function measureSnapshotFee(workers: number): Promise<SnapshotFee> {
    const s = await paymentsSandbox();
    s.blockchain.now = 1_800_000_000;
    const wallet = await deployProxyWallet(s);

    await rentPerDay(s, s.stranger.address); // settles the rent due since the deployment
    const baseRent = await rentPerDay(s, s.stranger.address);
    const snapshot = reputationSnapshotCell(s.blockchain.now!, 3_600, sampleEntries(workers));
    const envelope = signReputationSnapshot({ queryId: 1n, proxy: s.proxy.address, snapshot, sendExcessesTo: wallet.address }, proxyKeys.secretKey);
    const before = (await s.blockchain.getContract(wallet.address)).balance;
    const r = await sendFromWallet(s, wallet.address, 0, { to: s.proxy.address, value: toNano('0.2'), bounce: true, body: envelope });
    const after = (await s.blockchain.getContract(wallet.address)).balance;
    const rent = (await rentPerDay(s, s.stranger.address)) - baseRent;
    return { workers, ...countTree(snapshot), publishFee: before - after, storagePerDay: rent, transactions: r.transactions.length };
}
