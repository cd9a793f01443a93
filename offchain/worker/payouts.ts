import { Address, Cell, toNano } from '@ton/core';
import type { ChainClient } from '../chain/client';
import type { Outbox, OutboxRecord } from '../chain/outbox';
import { readWorkerContract } from '../chain/cocoon';
import type { Logger } from '../runtime';
import { repackEnvelope } from '../../wrappers/signing';
import type { PaymentState } from './paymentState';

/** Attached to a submitted payout: the worker contract needs more than 0.1 TON; the rest returns to our wallet. */
export const PAYOUT_VALUE = toNano('0.2');

export interface PayoutResult {
    proxyContract: string;
    workerContract: string;
    /** Tokens the submitted envelope pays up to. */
    tokens: bigint;
    intent: string;
    /** The outbox's verdict: 'delivered' when the worker contract took it. */
    outcome: OutboxRecord['outcome'];
    state: OutboxRecord['state'];
    /** The worker contract's paid tokens, read after the payout settled. */
    paidOnChain: bigint;
}

export interface PayoutSubmitterOptions {
    outbox: Outbox;
    chain: ChainClient;
    state: PaymentState;
    /** Our wallet: the excess of each payout comes back here. */
    wallet: Address;
    /** nanoTON of unpaid tokens that triggers a payout. */
    thresholdNano: bigint;
    /** The worker fee per token (nanoTON) of the current params. */
    feePerToken: () => Promise<bigint>;
    log: Logger;
}

/**
 * Submits the best signed payout held for a proxy contract through the outbox, at most once per token count
 * (intent `payout:<workerContract>:<tokens>`), and reads the worker contract's paid tokens once it settled.
 */
export class PayoutSubmitter {
    private readonly running = new Map<string, Promise<PayoutResult | null>>();
    /** Proxies whose newer payout came while one was being submitted: considered again once that one settled. */
    private readonly again = new Set<string>();

    constructor(private readonly o: PayoutSubmitterOptions) {}

    /**
     * Submits when the unpaid part of the held payout is worth the threshold. Unpaid is counted from the signed
     * payout's tokens, not committedChain: the envelope is what can be paid (the proxy signs it for committedChain).
     */
    async consider(proxyContract: string): Promise<void> {
        const s = this.o.state.get(proxyContract);
        if (!s?.payout || s.payout.tokens <= s.paidOnChain) return;
        if (this.running.has(proxyContract)) {
            // the last payout a proxy signs (e.g. before it stops) may come during a submission: it must not wait forever
            this.again.add(proxyContract);
            return;
        }
        const worth = (s.payout.tokens - s.paidOnChain) * (await this.o.feePerToken());
        if (worth < this.o.thresholdNano) return;
        await this.submit(proxyContract);
    }

    /** Submits the held payout now; null when there is none that pays more than the chain already did. */
    submit(proxyContract: string): Promise<PayoutResult | null> {
        const running = this.running.get(proxyContract);
        if (running) return running;
        const task = this.run(proxyContract).finally(() => {
            this.running.delete(proxyContract);
            if (this.again.delete(proxyContract)) {
                this.consider(proxyContract).catch((error: unknown) => this.o.log.error('payout failed', { proxyContract, error }));
            }
        });
        this.running.set(proxyContract, task);
        return task;
    }

    private async run(proxyContract: string): Promise<PayoutResult | null> {
        const s = this.o.state.get(proxyContract);
        if (!s?.payout || s.payout.tokens <= s.paidOnChain) return null;
        const workerContract = Address.parse(s.workerContract);
        const intent = `payout:${s.workerContract}:${s.payout.tokens}`;
        const body = repackEnvelope(Cell.fromBase64(s.payout.boc), this.o.wallet);
        const queued = this.o.outbox.enqueue({ intent, to: workerContract, value: PAYOUT_VALUE, body });
        this.o.log.info('payout submitted', { proxyContract, workerContract: s.workerContract, tokens: s.payout.tokens, intent });
        const settled = await this.o.outbox.wait(queued.id);
        const paid = (await readWorkerContract(this.o.chain, workerContract)).tokens;
        const after = this.o.state.setPaidOnChain(proxyContract, paid);
        const fields = { intent, outcome: settled.outcome, reason: settled.reason, tx: settled.destination?.hash, paidOnChain: paid };
        if (settled.outcome === 'delivered') this.o.log.info('payout settled', fields);
        else this.o.log.warn('payout not delivered', { ...fields, exitCode: settled.destination?.exitCode });
        return {
            proxyContract,
            workerContract: s.workerContract,
            tokens: s.payout.tokens,
            intent,
            outcome: settled.outcome,
            state: settled.state,
            paidOnChain: after?.paidOnChain ?? paid,
        };
    }
}
