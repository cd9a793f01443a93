import type { OutboxRecord } from '../chain/outbox';
import { randomU64 } from '../protocol';
import { saveStateBody } from '../../wrappers/proxy';
import type { ProxyContext } from './context';
import type { ContractWatch } from './contractWatch';

export const saveIntent = (seqno: number) => `save:${seqno}`;

/**
 * The commit loop (ref §3.6): every `commitMs` one database transaction (seqno + 1, changed accounts, history),
 * and every `saveStateSeconds`, when none is in flight and some counted tokens are not yet vouched for on-chain (or
 * none was recorded since the start), a save-state record for that seqno through the outbox, enqueued in the same
 * transaction. A refusing proxy keeps committing but records no more save-states.
 */
export class CommitLoop {
    private timer?: NodeJS.Timeout;
    private lastSaveAt = 0;
    private inFlight: number | null = null;
    private readonly offSettled: () => void;

    constructor(
        private readonly ctx: ProxyContext,
        private readonly watch: ContractWatch,
        readonly sessionHash: bigint,
    ) {
        this.offSettled = ctx.outbox.onSettled((r) => this.settled(r));
    }

    start(): void {
        this.timer = setInterval(() => this.tick(), this.ctx.config.commitMs);
    }

    stop(): void {
        clearInterval(this.timer);
        this.offSettled();
    }

    /** Commits now; with `save`, also records a save-state for this commit. Returns the seqno (null: nothing written). */
    commit(save: boolean): number | null {
        const ctx = this.ctx;
        const seqno = ctx.ledger.commit({
            watcherLt: this.watch.handledLt,
            sessionHash: this.sessionHash,
            force: save,
            saveState: save
                ? (s) =>
                      ctx.outbox.enqueue({
                          intent: saveIntent(s),
                          to: ctx.contract,
                          value: 1n,
                          body: saveStateBody({ queryId: randomU64(), seqno: s, sessionHash: this.sessionHash }),
                          bounce: false,
                      })
                : undefined,
        });
        if (save && seqno !== null) {
            this.lastSaveAt = Date.now();
            this.inFlight = seqno;
            ctx.log.info('save-state recorded', { seqno });
        }
        ctx.metrics.outboxPending.set(ctx.outbox.pending);
        return seqno;
    }

    private tick(): void {
        try {
            // due by time, and (checked last: it walks every account) some counted token not yet vouched for on-chain;
            // an idle proxy recording one every 30 s anyway paid about 8.8 TON a day for nothing
            const due =
                !this.ctx.refusal && Date.now() - this.lastSaveAt >= this.ctx.config.saveStateSeconds * 1000 && (this.lastSaveAt === 0 || this.ctx.ledger.unsaved);
            const free = this.inFlight === null || this.watch.lastConfirmed >= this.inFlight;
            this.commit(due && free);
        } catch (e) {
            this.ctx.log.error('database commit failed', { error: e });
        }
    }

    private settled(r: OutboxRecord): void {
        if (!r.intent.startsWith('save:')) return;
        const seqno = Number(r.intent.slice('save:'.length));
        if (r.state === 'failed' || r.outcome === 'failed') {
            this.ctx.ledger.markSaveState(seqno, 'failed');
            this.ctx.log.warn('save-state message failed', { seqno, reason: r.reason });
            if (this.inFlight === seqno) this.inFlight = null;
        } else {
            this.ctx.log.info('save-state sent', { seqno, walletTx: r.walletTx?.hash, tx: r.destination?.hash });
        }
    }
}
