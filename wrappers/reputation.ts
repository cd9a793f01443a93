import { Address, beginCell, Cell, Dictionary } from '@ton/core';
import { sign } from './ed25519';
import {
    loadReputationSnapshot,
    storeExtProxyReputationSnapshotSigned,
    storeReputationSnapshot,
    storeSignedReputationPayload,
} from '../build/CocoonProxy/tact_CocoonProxy';

/** Opcode of the signed snapshot envelope and of its payload (the seed's addition to the proxy contract). */
export const OP_REPUTATION_SNAPSHOT = 0x3a3e70e4;

/** A worker contract's figures over the snapshot's window (as `WorkerReputation` in contracts/messages/reputation.tact). */
export interface WorkerReputation {
    requests: number;
    failures: number;
    ttftP50Ms: number;
    /** Hundredths of a token per second. */
    tokensPerSecondP50x100: number;
    /** 0 (worst) to 10000 (best). */
    score: number;
}

export interface ReputationSnapshot {
    /** Unix seconds on the proxy's clock; each published snapshot must be newer than the last. */
    publishedAt: number;
    windowSeconds: number;
    workers: Map<string, { worker: Address; reputation: WorkerReputation }>;
}

const U32 = 0xffffffff;
const clampU32 = (n: number): bigint => BigInt(Math.max(0, Math.min(U32, Math.round(n))));

/** The 144-bit dictionary entry: requests, failures, ttft, tokens/s ×100 (32 bits each), score (16 bits). */
function pack(r: WorkerReputation): bigint {
    const score = BigInt(Math.max(0, Math.min(10000, Math.round(r.score))));
    return (clampU32(r.requests) << 112n) | (clampU32(r.failures) << 80n) | (clampU32(r.ttftP50Ms) << 48n) | (clampU32(r.tokensPerSecondP50x100) << 16n) | score;
}

function unpack(v: bigint): WorkerReputation {
    const u32 = (shift: bigint) => Number((v >> shift) & 0xffffffffn);
    return { requests: u32(112n), failures: u32(80n), ttftP50Ms: u32(48n), tokensPerSecondP50x100: u32(16n), score: Number(v & 0xffffn) };
}

/** The snapshot cell: `published_at:uint32 window:uint32 workers:(HashmapE 267 uint144)`. */
export function reputationSnapshotCell(publishedAt: number, windowSeconds: number, entries: Iterable<[Address, WorkerReputation]>): Cell {
    const workers = Dictionary.empty(Dictionary.Keys.Address(), Dictionary.Values.BigUint(144));
    for (const [worker, r] of entries) workers.set(worker, pack(r));
    return beginCell()
        .store(storeReputationSnapshot({ $$type: 'ReputationSnapshot', publishedAt: BigInt(publishedAt), windowSeconds: BigInt(windowSeconds), workers }))
        .endCell();
}

export function parseReputationSnapshot(cell: Cell): ReputationSnapshot {
    const s = loadReputationSnapshot(cell.beginParse());
    const workers = new Map<string, { worker: Address; reputation: WorkerReputation }>();
    for (const [worker, r] of s.workers) {
        workers.set(worker.toRawString(), { worker, reputation: unpack(r) });
    }
    return { publishedAt: Number(s.publishedAt), windowSeconds: Number(s.windowSeconds), workers };
}

/** The signed envelope that publishes `snapshot` on the proxy contract `proxy`, signed with the proxy's key. */
export function signReputationSnapshot(p: { queryId: bigint; proxy: Address; snapshot: Cell; sendExcessesTo: Address }, secretKey: Buffer): Cell {
    const payload = beginCell()
        .store(storeSignedReputationPayload({
            $$type: 'SignedReputationPayload',
            op: BigInt(OP_REPUTATION_SNAPSHOT),
            queryId: p.queryId,
            expectedMyAddress: p.proxy,
            snapshot: p.snapshot,
        }))
        .endCell();
    return beginCell()
        .store(storeExtProxyReputationSnapshotSigned({
            $$type: 'ExtProxyReputationSnapshotSigned',
            queryId: p.queryId,
            sendExcessesTo: p.sendExcessesTo,
            signature: sign(payload.hash(), secretKey),
            payload,
        }))
        .endCell();
}
