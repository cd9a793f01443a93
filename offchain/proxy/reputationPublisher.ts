import { Address, toNano } from '@ton/core';
import type { OutboxRecord } from '../chain/outbox';
import { randomU64 } from '../protocol';
import { reputationSnapshotCell, signReputationSnapshot, type WorkerReputation } from '../../wrappers/reputation';
import type { ProxyContext } from './context';
import type { ReputationBook, ReputationFigures } from './reputation';

/** Attached to a snapshot: the contract wants 0.1 TON; what the gas does not use comes back as excesses. */
export const REPUTATION_VALUE = toNano('0.15');

/** The on-chain entry of a worker's figures (whole milliseconds, hundredths of a token per second). */
export function onChainEntry(f: ReputationFigures): WorkerReputation {
    const failures = Object.values(f.failures).reduce((a, b) => a + b, 0);
    return {
        requests: f.requests,
        failures,
        ttftP50Ms: Math.round(f.ttftP50Ms ?? 0),
        tokensPerSecondP50x100: Math.round((f.tokensPerSecondP50 ?? 0) * 100),
        score: f.score,
    };
}

export interface PublishedSnapshot {
    publishedAt: number;
    workers: number;
    outboxId: number;
}

/**
 * Publishes the workers' reputation on the proxy contract every `reputation.publishSeconds` when it changed, through
 * the outbox (so a snapshot decided before a crash is still sent once). The snapshot is signed with the payment key.
 */
export class ReputationPublisher {
    private timer: NodeJS.Timeout | null = null;
    private lastEntries = '';
    private lastPublishedAt = 0;
    last: PublishedSnapshot | null = null;

    constructor(
        private readonly ctx: ProxyContext,
        private readonly book: ReputationBook,
    ) {}

    start(): void {
        const seconds = this.ctx.config.reputation.publishSeconds;
        if (seconds > 0) this.timer = setInterval(() => this.publish(), seconds * 1000).unref();
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = null;
    }

    /** Enqueues a snapshot of every worker with requests in the window; null when nothing changed or nothing to say. */
    publish(): OutboxRecord | null {
        const { ctx } = this;
        if (ctx.refusal) return null;
        const entries = [...this.book.all()].map(([key, f]) => [key, onChainEntry(f)] as const);
        if (entries.length === 0) return null;
        const digest = JSON.stringify(entries);
        if (digest === this.lastEntries) return null;
        // strictly newer than the last one, as the contract requires, even within one second
        const publishedAt = Math.max(Math.floor(Date.now() / 1000), this.lastPublishedAt + 1);
        const snapshot = reputationSnapshotCell(publishedAt, this.book.windowSeconds, entries.map(([key, e]) => [Address.parse(key), e]));
        const body = signReputationSnapshot({ queryId: randomU64(), proxy: ctx.contract, snapshot, sendExcessesTo: ctx.wallet.address }, ctx.key.secretKey);
        const record = ctx.outbox.enqueue({ intent: `reputation:${publishedAt}`, to: ctx.contract, value: REPUTATION_VALUE, body });
        this.lastEntries = digest;
        this.lastPublishedAt = publishedAt;
        this.last = { publishedAt, workers: entries.length, outboxId: record.id };
        ctx.log.info('reputation snapshot queued', { publishedAt, workers: entries.length, outboxId: record.id });
        return record;
    }
}
