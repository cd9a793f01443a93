import { Address, toNano } from '@ton/core';
import type { OutboxRecord } from '../chain/outbox';
import { readProxyContract } from '../chain/cocoon';
import { randomU64 } from '../protocol';
import { signEnvelope, type SignedKind } from '../../wrappers/signing';
import type { ProxyContext } from './context';
import type { Retirement, RetirementPhase } from './ledger';

/** Attached to each signed message: the contracts' 0.1 TON check plus fees; the excess returns to the wallet. */
const RETIRE_VALUE = toNano('0.2');
const TICK_MS = 2000;
/** Seconds past the proxy contract's unlock time before the close-complete is sent (clock skew). */
const UNLOCK_MARGIN_S = 2;

/**
 * Retires proxy contracts of older params generations (spec "Closing", ref §3.7): a signed close request, then for
 * every client a signed grant-refund of its final count (the client contract charges it, refunds the rest to its
 * owner and closes) and for every worker a signed last payout (paid, closed), then, once the contract's close delay
 * has passed, the signed close-complete that returns the stake and earnings to the owner. Every message goes through
 * the outbox under an intent naming it, so a restart resumes the sequence without sending anything twice; the phase
 * is kept in the ledger's database.
 */
export class Retirements {
    private timer: NodeJS.Timeout | null = null;
    private running = false;
    /** Close-complete attempts refused by the contract (e.g. a clock ahead of the chain's), per contract. */
    private readonly attempts = new Map<string, number>();

    constructor(private readonly ctx: ProxyContext) {}

    start(): void {
        this.timer = setInterval(() => void this.tick(), TICK_MS);
        void this.tick();
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = null;
    }

    list(): (Retirement & { clients: number; workers: number })[] {
        return this.ctx.ledger.retirements().map((r) => ({
            ...r,
            clients: r.accounts.filter((a) => a.kind === 'client').length,
            workers: r.accounts.filter((a) => a.kind === 'worker').length,
        }));
    }

    /** One pass over the unfinished retirements; a pass already running is not doubled. */
    async tick(): Promise<void> {
        if (this.running) return;
        this.running = true;
        try {
            for (const r of this.ctx.ledger.retirements()) if (r.phase !== 'done') await this.advance(r);
        } catch (e) {
            this.ctx.log.warn('retiring an old proxy contract: will try again', { error: e });
        } finally {
            this.running = false;
        }
    }

    private async advance(r: Retirement): Promise<void> {
        const { ctx } = this;
        const contract = Address.parse(r.contract);
        const onChain = await readProxyContract(ctx.chain, contract);
        if (r.phase === 'close') {
            if (onChain.state >= 1) return this.enter(r, 'settle', { unlockTs: onChain.unlockTs });
            this.send(`retire:${r.contract}:close`, 'closeRequest', contract);
            return;
        }
        if (r.phase === 'settle') {
            const records = r.accounts.map((a) =>
                this.send(`retire:${a.contract}:${a.kind === 'client' ? 'refund' : 'last-payout'}:${a.tokens}`, a.kind === 'client' ? 'grantRefund' : 'lastPayout', Address.parse(a.contract), BigInt(a.tokens)),
            );
            if (records.some((x) => x.outcome === null && x.state !== 'failed')) return;
            for (const [i, x] of records.entries()) {
                if (x.outcome !== 'delivered') ctx.log.warn('retirement message not delivered', { account: r.accounts[i].contract, intent: x.intent, exitCode: x.destination?.exitCode, reason: x.reason });
            }
            return this.enter(r, 'complete', { clients: records.length });
        }
        if (r.phase === 'complete') {
            if (onChain.state === 2) return this.enter(r, 'done', { balance: onChain.balance.toString() });
            if (Date.now() / 1000 < onChain.unlockTs + UNLOCK_MARGIN_S) return;
            const attempt = this.attempts.get(r.contract) ?? 0;
            const x = this.send(`retire:${r.contract}:complete:${attempt}`, 'closeComplete', contract);
            if (x.outcome !== null && x.outcome !== 'delivered') this.attempts.set(r.contract, attempt + 1);
        }
    }

    private enter(r: Retirement, phase: RetirementPhase, fields: Record<string, unknown>): void {
        this.ctx.ledger.setRetirementPhase(r.contract, phase);
        this.ctx.log.info(phase === 'done' ? 'old proxy contract closed' : `retiring an old proxy contract: ${phase}`, { contract: r.contract, ...fields });
    }

    /** Enqueues (once per intent) the proxy-signed message of `kind` for `to`. */
    private send(intent: string, kind: SignedKind, to: Address, newTokens?: bigint): OutboxRecord {
        const { ctx } = this;
        const existing = ctx.outbox.byIntent(intent);
        if (existing) return existing;
        const payload = newTokens === undefined ? { kind, queryId: randomU64(), expectedMyAddress: to } : { kind, queryId: randomU64(), newTokens, expectedMyAddress: to };
        const body = signEnvelope(payload, ctx.key.secretKey, ctx.wallet.address);
        return ctx.outbox.enqueue({ intent, to, value: RETIRE_VALUE, body });
    }
}
