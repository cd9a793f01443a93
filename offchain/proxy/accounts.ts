import { Address } from '@ton/core';
import type { ClientLedger, Prices, WorkerLedger } from '../protocol';
import type { ClientSnapshot } from '../../wrappers/client';

/**
 * COCOON's three monotone counters of one counterparty (ref §3.3): everything accounted (RAM), what the last local
 * commit holds, and what a save-state record confirmed on-chain covers. `history` remembers, per commit seqno, the
 * value committed then, until a save-state with a seqno at least that high is seen on the contract.
 */
export class Counters {
    readonly history: { seqno: number; tokens: bigint }[] = [];

    constructor(
        public tokensMax: bigint,
        public committedDb: bigint,
        public committedChain: bigint,
    ) {}

    add(tokens: bigint): void {
        this.tokensMax += tokens;
    }

    /** At commit `seqno`: remembers tokensMax if it grew; true when something changed. */
    commit(seqno: number): boolean {
        if (this.tokensMax === this.committedDb) return false;
        this.committedDb = this.tokensMax;
        this.history.push({ seqno, tokens: this.committedDb });
        return true;
    }

    /** A save-state for `seqno` is on-chain: the newest value committed at or before it is safe to sign for. */
    confirm(seqno: number): boolean {
        let best: bigint | undefined;
        while (this.history.length > 0 && this.history[0].seqno <= seqno) best = this.history.shift()!.tokens;
        if (best === undefined || best <= this.committedChain) return false;
        this.committedChain = best;
        return true;
    }
}

/** A signed envelope (BoC, base64) for one token count; kept until the committed count moves on. */
export interface SignedPayment {
    tokens: bigint;
    boc: string;
}

export interface ClientAccount {
    kind: 'client';
    /** Raw address of the client contract: the account's key. */
    key: string;
    contract: Address;
    owner: Address;
    counters: Counters;
    /** Held for requests in flight (RAM only). */
    reserved: bigint;
    /** The client contract as last seen on-chain; null before any sighting. */
    snapshot: ClientSnapshot | null;
    signed: SignedPayment | null;
    dirty: boolean;
}

export interface WorkerAccount {
    kind: 'worker';
    key: string;
    contract: Address;
    owner: Address;
    model: string;
    counters: Counters;
    /** `tokens` of the worker contract as last seen on-chain. */
    paidOnChain: bigint;
    signed: SignedPayment | null;
    dirty: boolean;
}

export type Account = ClientAccount | WorkerAccount;

/** Tokens the client may still use: min(paid, charged + stake/price) − accounted − reserved (ref §3.2), never negative. */
export function availableTokens(a: ClientAccount, prices: Prices): bigint {
    const s = a.snapshot;
    if (!s || prices.pricePerToken === 0n) return 0n;
    const charged = s.tokensUsed;
    const paid = s.balance / prices.pricePerToken + charged;
    const limit = paid < charged + s.stake / prices.pricePerToken ? paid : charged + s.stake / prices.pricePerToken;
    const available = limit - a.counters.tokensMax - a.reserved;
    return available > 0n ? available : 0n;
}

export function clientLedger(a: ClientAccount, prices: Prices, signedCharge: string | null): ClientLedger {
    const c = a.counters;
    return {
        tokensMax: c.tokensMax.toString(),
        committedDb: c.committedDb.toString(),
        committedChain: c.committedChain.toString(),
        chargedOnChain: (a.snapshot?.tokensUsed ?? 0n).toString(),
        reserved: a.reserved.toString(),
        available: availableTokens(a, prices).toString(),
        signedCharge,
    };
}

export function workerLedger(a: WorkerAccount, signedPayout: string | null): WorkerLedger {
    const c = a.counters;
    return {
        tokensMax: c.tokensMax.toString(),
        committedDb: c.committedDb.toString(),
        committedChain: c.committedChain.toString(),
        paidOnChain: a.paidOnChain.toString(),
        signedPayout,
    };
}
