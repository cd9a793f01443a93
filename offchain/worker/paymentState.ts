import { Address, Cell } from '@ton/core';
import type { WorkerLedger } from '../protocol';
import { withoutFlush, type Db } from '../runtime';
import { SignedEnvelopeError, validateEnvelope } from '../../wrappers/signing';

/**
 * What the worker remembers per proxy contract (SQLite, survives restarts): the proxy's three counters as last
 * accepted, what the worker contract has been paid on-chain, and the best signed payout received. The counters are
 * the rollback tripwire (`worker.compare`); the payout is what the worker can submit itself.
 */
export interface ProxyLedgerState {
    proxyContract: string;
    workerContract: string;
    /** The proxy payment key (hex) the signed payouts must verify with. */
    proxyKey: string;
    tokensMax: bigint;
    committedDb: bigint;
    committedChain: bigint;
    paidOnChain: bigint;
    /** Best signed payout (base64 BoC of the envelope) and the tokens it pays up to. */
    payout: { tokens: bigint; boc: string } | null;
}

/** The proxy's counters went backwards: its ledger is older than one it sent before (a replay or a rollback). */
export class LedgerRollbackError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'LedgerRollbackError';
    }
}

export const PAYMENT_MIGRATIONS: string[] = [
    `CREATE TABLE worker_proxies (
        proxy_contract TEXT PRIMARY KEY,
        worker_contract TEXT NOT NULL,
        proxy_key TEXT NOT NULL,
        tokens_max TEXT NOT NULL,
        committed_db TEXT NOT NULL,
        committed_chain TEXT NOT NULL,
        paid_on_chain TEXT NOT NULL,
        payout_tokens TEXT,
        payout_boc TEXT,
        updated_at INTEGER NOT NULL
    )`,
];

interface Row {
    proxy_contract: string;
    worker_contract: string;
    proxy_key: string;
    tokens_max: string;
    committed_db: string;
    committed_chain: string;
    paid_on_chain: string;
    payout_tokens: string | null;
    payout_boc: string | null;
}

const fromRow = (r: Row): ProxyLedgerState => ({
    proxyContract: r.proxy_contract,
    workerContract: r.worker_contract,
    proxyKey: r.proxy_key,
    tokensMax: BigInt(r.tokens_max),
    committedDb: BigInt(r.committed_db),
    committedChain: BigInt(r.committed_chain),
    paidOnChain: BigInt(r.paid_on_chain),
    payout: r.payout_boc !== null && r.payout_tokens !== null ? { tokens: BigInt(r.payout_tokens), boc: r.payout_boc } : null,
});

/** The outcome of a ledger the proxy sent: the state to store, and why its signed payout was not taken (if so). */
export interface LedgerVerdict {
    next: ProxyLedgerState;
    payoutRejected: string | null;
}

/**
 * Checks a ledger from the proxy against what we hold. Counters below ours throw LedgerRollbackError (the caller
 * drops the connection, so a fresh compare follows). A signed payout is kept only if it verifies as a payout for
 * our worker contract under the proxy key and pays more than the best one known; anything else is reported in
 * `payoutRejected` and not kept (a replayed or foreign envelope). paidOnChain never goes down: the chain, read
 * after our own payouts, may be ahead of the proxy's view.
 */
export function acceptLedger(state: ProxyLedgerState, ledger: WorkerLedger): LedgerVerdict {
    const incoming = {
        tokensMax: BigInt(ledger.tokensMax),
        committedDb: BigInt(ledger.committedDb),
        committedChain: BigInt(ledger.committedChain),
    };
    for (const k of ['tokensMax', 'committedDb', 'committedChain'] as const) {
        if (incoming[k] < state[k]) throw new LedgerRollbackError(`proxy ${k} went back from ${state[k]} to ${incoming[k]}`);
    }
    const next: ProxyLedgerState = { ...state, ...incoming, paidOnChain: max(state.paidOnChain, BigInt(ledger.paidOnChain)) };
    let payoutRejected: string | null = null;
    // the proxy repeats its newest payout in every ledger until the next save-state: checked once
    if (ledger.signedPayout !== null && ledger.signedPayout !== state.payout?.boc) {
        try {
            const tokens = payoutTokens(state, ledger.signedPayout);
            if (state.payout && tokens < state.payout.tokens) {
                payoutRejected = `it pays ${tokens} tokens, below the ${state.payout.tokens} already held`;
            } else if (!state.payout || tokens > state.payout.tokens) next.payout = { tokens, boc: ledger.signedPayout };
        } catch (e) {
            if (!(e instanceof SignedEnvelopeError)) throw e;
            payoutRejected = e.message;
        }
    }
    return { next, payoutRejected };
}

/** The tokens a signed payout pays up to, once it verifies (SignedEnvelopeError otherwise). */
function payoutTokens(state: ProxyLedgerState, boc: string): bigint {
    let cell: Cell;
    try {
        cell = Cell.fromBase64(boc);
    } catch (e) {
        throw new SignedEnvelopeError(`signed payout is not a BoC: ${(e as Error).message}`);
    }
    const { payload } = validateEnvelope(cell, {
        publicKey: Buffer.from(state.proxyKey, 'hex'),
        kinds: ['payout'],
        address: Address.parse(state.workerContract),
    });
    return payload.newTokens!;
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);

export class PaymentState {
    /** Records as last read or written: this class is their only writer, and every ledger reads one. */
    private readonly known = new Map<string, ProxyLedgerState>();

    constructor(private readonly db: Db) {}

    get(proxyContract: string): ProxyLedgerState | undefined {
        const known = this.known.get(proxyContract);
        if (known) return known;
        const row = this.db.prepare('SELECT * FROM worker_proxies WHERE proxy_contract = ?').get(proxyContract) as Row | undefined;
        if (row) this.known.set(proxyContract, fromRow(row));
        return this.known.get(proxyContract);
    }

    all(): ProxyLedgerState[] {
        return (this.db.prepare('SELECT * FROM worker_proxies ORDER BY proxy_contract').all() as Row[]).map(fromRow);
    }

    /**
     * The record of a proxy contract, created with zero counters on first contact. A proxy contract's address is
     * derived from its key, so a stored key that differs means a corrupted database: refuse rather than mix ledgers.
     */
    open(proxyContract: string, workerContract: string, proxyKey: string): ProxyLedgerState {
        const known = this.get(proxyContract);
        if (known) {
            if (known.workerContract !== workerContract || known.proxyKey !== proxyKey) {
                throw new LedgerRollbackError(`stored worker contract or key of proxy ${proxyContract} differs from the derived one`);
            }
            return known;
        }
        const fresh: ProxyLedgerState = {
            proxyContract,
            workerContract,
            proxyKey,
            tokensMax: 0n,
            committedDb: 0n,
            committedChain: 0n,
            paidOnChain: 0n,
            payout: null,
        };
        this.save(fresh);
        return fresh;
    }

    /** Without waiting for the disk: the proxy holds the same counters and resends its signed ledger at every connect. */
    save(s: ProxyLedgerState): void {
        withoutFlush(this.db, () =>
            this.db
                .prepare(
                    `INSERT INTO worker_proxies (proxy_contract, worker_contract, proxy_key, tokens_max, committed_db, committed_chain,
                         paid_on_chain, payout_tokens, payout_boc, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (proxy_contract) DO UPDATE SET tokens_max = excluded.tokens_max,
                         committed_db = excluded.committed_db, committed_chain = excluded.committed_chain,
                         paid_on_chain = excluded.paid_on_chain, payout_tokens = excluded.payout_tokens,
                         payout_boc = excluded.payout_boc, updated_at = excluded.updated_at`,
                )
                .run(
                    s.proxyContract,
                    s.workerContract,
                    s.proxyKey,
                    s.tokensMax.toString(),
                    s.committedDb.toString(),
                    s.committedChain.toString(),
                    s.paidOnChain.toString(),
                    s.payout?.tokens.toString() ?? null,
                    s.payout?.boc ?? null,
                    Date.now(),
                ),
        );
        this.known.set(s.proxyContract, s);
    }

    /** Records what the worker contract has been paid, as read on-chain (never lowers it). */
    setPaidOnChain(proxyContract: string, paid: bigint): ProxyLedgerState | undefined {
        const s = this.get(proxyContract);
        if (!s || paid <= s.paidOnChain) return s;
        const next = { ...s, paidOnChain: paid };
        this.save(next);
        return next;
    }
}
