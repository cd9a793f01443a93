import { Cell, toNano } from '@ton/core';
import type { OutboxRecord } from '../chain/outbox';
import type { Account, ClientAccount } from './accounts';
import { saveIntent, type CommitLoop } from './commitLoop';
import type { ProxyContext } from './context';
import type { ContractWatch } from './contractWatch';
import { ProxyRefusingError, SettlementError } from './errors';

/** What a charge (client floor checks: 0.1 TON attached, docs/contracts.md) or a payout (> 0.1 TON) carries. */
export const CHARGE_VALUE = toNano('0.2');
export const PAYOUT_VALUE = toNano('0.2');
export const SETTLE_TICK_MS = 2000;
const SETTLE_WAIT_MS = 120_000;

export interface SettledMessage {
    kind: 'charge' | 'payout';
    contract: string;
    tokens: string;
    intent: string;
    outcome: OutboxRecord['outcome'];
    state: OutboxRecord['state'];
    walletTx: string | null;
    tx: string | null;
    exitCode: number | null;
}

export interface SettleReport {
    /** The save-state record sent and confirmed first. */
    saveState: { seqno: number; walletTx: string | null; tx: string | null };
    charges: SettledMessage[];
    payouts: SettledMessage[];
}

const intentOf = (a: Account, tokens: bigint) => `${a.kind === 'client' ? 'charge' : 'payout'}:${a.key}:${tokens}`;

function describe(r: OutboxRecord, a: Account, tokens: bigint): SettledMessage {
    return {
        kind: a.kind === 'client' ? 'charge' : 'payout',
        contract: a.key,
        tokens: tokens.toString(),
        intent: r.intent,
        outcome: r.outcome,
        state: r.state,
        walletTx: r.walletTx?.hash ?? null,
        tx: r.destination?.hash ?? null,
        exitCode: r.destination?.exitCode ?? null,
    };
}

/**
 * Signed charges and payouts on-chain (ref §3.5): a client is charged when (committedChain − charged on-chain) ×
 * price reaches the charge threshold, a worker paid when (committedChain − paid on-chain) × fee reaches the payout
 * threshold, both compared in nanoTON; one message in flight per counterparty. Intent keys name the token count, so
 * the same charge is never sent twice.
 */
export class Settlement {
    private timer?: NodeJS.Timeout;
    private readonly inFlight = new Map<string, number>();
    private readonly offSettled: () => void;

    constructor(
        private readonly ctx: ProxyContext,
        private readonly watch: ContractWatch,
        private readonly commits: CommitLoop,
    ) {
        this.offSettled = ctx.outbox.onSettled((r) => this.settled(r));
    }

    start(): void {
        this.timer = setInterval(() => this.tick(), SETTLE_TICK_MS);
    }

    stop(): void {
        clearInterval(this.timer);
        this.offSettled();
    }

    /** Unsettled counts of an account: committed on-chain minus what its contract has. */
    private unsettled(a: Account): bigint {
        const onChain = a.kind === 'client' ? (a.snapshot?.tokensUsed ?? 0n) : a.paidOnChain;
        return a.counters.committedChain - onChain;
    }

    private tick(): void {
        if (this.ctx.refusal) return;
        const { prices, config } = this.ctx;
        const chargeAt = toNano(config.thresholds.chargeTon.toString());
        const payoutAt = toNano(config.thresholds.payoutTon.toString());
        try {
            for (const a of this.ctx.ledger.clients.values()) {
                const due = this.unsettled(a);
                if (due > 0n && due * prices.pricePerToken >= chargeAt && !this.inFlight.has(a.key)) this.send(a);
            }
            for (const a of this.ctx.ledger.workers.values()) {
                const due = this.unsettled(a);
                if (due > 0n && due * prices.workerFeePerToken >= payoutAt && !this.inFlight.has(a.key)) this.send(a);
            }
        } catch (e) {
            this.ctx.log.error('settlement failed', { error: e });
        }
        this.ctx.metrics.outboxPending.set(this.ctx.outbox.pending);
    }

    /** Enqueues the signed message for the account's committed count (idempotent per count). */
    private send(a: Account): { record: OutboxRecord; tokens: bigint } | null {
        const boc = this.ctx.ledger.signedPayment(a);
        if (!boc) return null;
        const tokens = a.counters.committedChain;
        const record = this.ctx.outbox.enqueue({
            intent: intentOf(a, tokens),
            to: a.contract,
            value: a.kind === 'client' ? CHARGE_VALUE : PAYOUT_VALUE,
            body: Cell.fromBase64(boc),
        });
        if (record.state !== 'failed' && record.outcome === null) this.inFlight.set(a.key, record.id);
        return { record, tokens };
    }

    private settled(r: OutboxRecord): void {
        const m = /^(charge|payout):([^:]+:[0-9a-f]+):(\d+)$/.exec(r.intent);
        if (!m) return;
        const [, kind, key, tokensText] = m;
        if (this.inFlight.get(key) === r.id) this.inFlight.delete(key);
        const fields = { contract: key, tokens: tokensText, outcome: r.outcome ?? r.state, walletTx: r.walletTx?.hash, tx: r.destination?.hash };
        if (r.outcome !== 'delivered') {
            this.ctx.log.warn(`${kind} not delivered`, { ...fields, exitCode: r.destination?.exitCode, reason: r.reason });
            return;
        }
        this.ctx.log.info(`${kind} settled on-chain`, fields);
        const client = kind === 'charge' ? this.ctx.ledger.clients.get(key) : undefined;
        if (client) this.charged(client, BigInt(tokensText));
    }

    /**
     * A delivered charge is final on the client contract (the notice to the proxy contract only informs it), so the
     * snapshot moves at once rather than when the watcher sees the notice; a payout waits for the watcher, since
     * the proxy contract may still refuse it and the worker contract then undoes it.
     */
    private charged(a: ClientAccount, tokens: bigint): void {
        const s = a.snapshot;
        if (!s || s.tokensUsed >= tokens) return;
        const cost = (tokens - s.tokensUsed) * this.ctx.prices.pricePerToken;
        a.snapshot = { ...s, tokensUsed: tokens, balance: cost >= s.balance ? 0n : s.balance - cost };
        a.dirty = true;
    }

    /**
     * Commits now, records a save-state and waits until it is confirmed on-chain, then sends a signed charge to every
     * client and a signed payout to every worker with unsettled committed tokens (whatever the thresholds) and waits
     * for every outcome.
     */
    async settle(): Promise<SettleReport> {
        const ctx = this.ctx;
        if (ctx.refusal) throw new ProxyRefusingError(ctx.refusal.reason);
        const seqno = this.commits.commit(true)!;
        const saved = await ctx.outbox.wait(ctx.outbox.byIntent(saveIntent(seqno))!.id, SETTLE_WAIT_MS);
        if (saved.outcome !== 'delivered') throw new SettlementError(`save-state ${seqno} was not delivered: ${saved.reason ?? saved.outcome ?? saved.state}`);
        await withTimeout(this.watch.confirmed(seqno), SETTLE_WAIT_MS, `save-state ${seqno} not seen on the contract`);
        const waits: Promise<SettledMessage>[] = [];
        for (const a of [...ctx.ledger.clients.values(), ...ctx.ledger.workers.values()]) {
            if (this.unsettled(a) <= 0n) continue;
            const previous = this.inFlight.get(a.key);
            if (previous !== undefined) await ctx.outbox.wait(previous, SETTLE_WAIT_MS);
            const sent = this.send(a);
            if (sent) waits.push(ctx.outbox.wait(sent.record.id, SETTLE_WAIT_MS).then((r) => describe(r, a, sent.tokens)));
        }
        const done = await Promise.all(waits);
        return {
            saveState: { seqno, walletTx: saved.walletTx?.hash ?? null, tx: saved.destination?.hash ?? null },
            charges: done.filter((m) => m.kind === 'charge'),
            payouts: done.filter((m) => m.kind === 'payout'),
        };
    }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout;
    return Promise.race([
        p.finally(() => clearTimeout(timer)),
        new Promise<T>((_, reject) => {
            timer = setTimeout(() => reject(new SettlementError(`${what} within ${ms / 1000} s`)), ms);
        }),
    ]);
}
