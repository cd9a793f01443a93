import { Address, Cell, StateInit, toNano } from '@ton/core';
import type { ChainClient } from '../chain';
import type { Outbox, OutboxRecord } from '../chain/outbox';
import { readClientContract } from '../chain/cocoon';
import { randomU64, type ClientLedger, type Prices, type ProxyInfo } from '../protocol';
import { accountBalance, contractStateName, ton, type BalanceRow, type Logger } from '../runtime';
import { clientMessages, type ClientContractState } from '../../wrappers/client';
import { repackEnvelope, validateEnvelope } from '../../wrappers/signing';
import { APIError } from './errors';
import type { ClientStore } from './store';

/**
 * Attached values, from the client contract's checks (docs/contracts.md, CocoonClient): every op needs 0.1 TON on
 * top of what it moves (1003) and leaves the contract its 0.11 TON floor (1001); the excess comes back to the wallet.
 */
const COMMISSION = toNano('0.1');
const FLOOR = toNano('0.11');
/** Covers storage due and fees so a check never fails by a few nanoTON. */
const MARGIN = toNano('0.02');
/** Value of ops that move no coins (register, charge, secret change, withdraw, refund): commission + floor top-up + margin. */
const OP_VALUE = toNano('0.2');
/**
 * A settlement decided on every ledger (that is, after every request) reuses the client contract's state read this
 * recently instead of asking the chain again: its own actions re-read it at once, and a charge by the proxy shows up
 * within this delay (a public API would otherwise see one state read per request).
 */
const STATE_REUSE_MS = 5000;
/** How long a settlement waits for the outbox before leaving the intent to finish on its own. */
const SETTLE_WAIT_MS = 120_000;

export interface PaymentsStatus {
    clientContract: string | null;
    proxyContract: string | null;
    pricePerToken: string | null;
    /** The proxy's last ledger for this client. */
    ledger: ClientLedger | null;
    /** The client contract as last read (after the last settlement). */
    contract: { state: number; balance: string; stake: string; tokensUsed: string; secretHashSet: boolean } | null;
    bestCharge: string | null;
    rejectedCharges: number;
    outboxPending: number;
}

/** What a chain action did, as admin endpoints report it. */
export interface ChainActionResult {
    intent: string;
    state: OutboxRecord['state'];
    outcome: OutboxRecord['outcome'];
    /** Hash (hex) of the wallet transaction that sent the message. */
    walletTx: string | null;
    /** Hash (hex) of the transaction on the client contract, and its exit code. */
    destinationTx: string | null;
    exitCode: number | null;
    reason: string | null;
}

export interface PaymentsOptions {
    chain: ChainClient;
    outbox: Outbox;
    /** The client's wallet: owner of the client contract and receiver of every excess. */
    wallet: Address;
    store: ClientStore;
    log: Logger;
    secretHash: bigint;
    initialDeposit: bigint;
    topUpAmount: bigint;
    thresholds: { charge: number; topUp: number };
}

/** The proxy generation the client is attached to (set by each authorized session). */
export interface PaymentTarget {
    proxy: ProxyInfo;
    clientContract: Address;
    clientInit: StateInit;
    prices: Prices;
}

const fractionOf = (n: bigint, f: number): bigint => (n * BigInt(Math.round(f * 10_000))) / 10_000n;

export function actionResult(r: OutboxRecord): ChainActionResult {
    return {
        intent: r.intent,
        state: r.state,
        outcome: r.outcome,
        walletTx: r.walletTx?.hash ?? null,
        destinationTx: r.destination?.hash ?? null,
        exitCode: r.destination?.exitCode ?? null,
        reason: r.reason,
    };
}

/**
 * The client's side of the money path: keeps the proxy's ledger, validates every signed charge (keeping the best,
 * refusing foreign and replayed ones), charges itself with the best charge when uncharged usage passes its threshold,
 * tops up when paid-but-unused tokens run low, and runs the owner ops. The proxy is the authority on usage; the
 * client contract's state (read after each action) is the authority on money.
 */
export class Payments {
    private target?: PaymentTarget;
    private ledger?: ClientLedger;
    private contract?: ClientContractState;
    /** When `contract` was read, and for which client contract. */
    private contractRead?: { at: number; key: string };
    private rejectedCharges = 0;
    private running?: Promise<void>;
    private again = false;
    private stopped = false;

    constructor(private readonly o: PaymentsOptions) {}

    attach(target: PaymentTarget): void {
        this.target = target;
    }

    /**
     * The on-chain steps of long auth: deploy the client contract (secret hash and initial deposit) if it is not
     * active, set the secret hash if it differs, then register `nonce`. Returns the records the handshake watches.
     */
    async prepareLongAuth(nonce: bigint): Promise<OutboxRecord[]> {
        const t = this.need();
        const contract = t.clientContract;
        const key = contract.toRawString();
        const records: OutboxRecord[] = [];
        const account = await this.o.chain.getAccount(contract);
        if (account.state !== 'active') {
            // a deployment from an earlier attempt may still be on its way: a second one would deposit twice
            const inFlight = this.o.outbox
                .list({ states: ['queued', 'sent', 'confirmed'] })
                .find((r) => r.intent.startsWith(`deploy:${key}:`) && (r.state !== 'confirmed' || r.outcome === null));
            records.push(
                inFlight ??
                    this.o.outbox.enqueue({
                        intent: `deploy:${key}:${nonce}`,
                        to: contract,
                        value: this.o.initialDeposit + COMMISSION + FLOOR + MARGIN,
                        body: clientMessages.changeSecretHashAndTopUp(randomU64(), this.o.initialDeposit, this.o.secretHash, this.o.wallet),
                        init: t.clientInit,
                    }),
            );
            this.o.log.info('deploying the client contract', { contract: contract.toString(), depositTon: this.o.initialDeposit });
        } else {
            const state = await readClientContract(this.o.chain, contract);
            if (state.secretHash !== this.o.secretHash) {
                records.push(
                    this.o.outbox.enqueue({
                        intent: `secret:${key}:${nonce}`,
                        to: contract,
                        value: OP_VALUE,
                        body: clientMessages.changeSecretHash(randomU64(), this.o.secretHash, this.o.wallet),
                    }),
                );
            }
        }
        records.push(
            this.o.outbox.enqueue({
                intent: `register:${key}:${nonce}`,
                to: contract,
                value: OP_VALUE,
                body: clientMessages.register(randomU64(), nonce, this.o.wallet),
            }),
        );
        return records;
    }

    /** A ledger from the proxy: its signed charge is checked and kept if it is the best; then settlement runs. */
    onLedger(ledger: ClientLedger): void {
        const t = this.need();
        this.ledger = ledger;
        if (ledger.signedCharge) this.offerCharge(t, ledger.signedCharge);
        this.schedule();
    }

    /** Charges the client contract with the best signed charge now (admin). */
    async chargeNow(): Promise<ChainActionResult> {
        const t = this.need();
        const state = await this.readState(t);
        const best = this.o.store.bestCharge(t.clientContract.toRawString());
        if (!best || best.tokens <= state.tokensUsed) {
            const message = `nothing to charge: the best signed charge (${best?.tokens ?? 0n} tokens) does not exceed the charged ${state.tokensUsed}`;
            throw new APIError(409, message, 'nothing_to_charge');
        }
        return this.settle(this.enqueueCharge(t, best));
    }

    /** Tops up the client contract by `amount` nanoTON (admin). */
    async topUp(amount: bigint): Promise<ChainActionResult> {
        const t = this.need();
        if (amount <= 0n) throw new APIError(400, 'top-up amount must be positive', 'bad_request', 'ton');
        return this.settle(this.enqueueTopUp(t, amount, `topup:${t.clientContract.toRawString()}:manual:${randomU64()}`));
    }

    /** Withdraws what exceeds the stake (admin). */
    async withdraw(): Promise<ChainActionResult> {
        const t = this.need();
        const intent = `withdraw:${t.clientContract.toRawString()}:${randomU64()}`;
        return this.settle(
            this.o.outbox.enqueue({ intent, to: t.clientContract, value: OP_VALUE, body: clientMessages.withdraw(randomU64(), this.o.wallet) }),
        );
    }

    /** Starts closing the client contract, or finishes it after the delay (admin; the contract's request_refund). */
    async requestRefund(): Promise<ChainActionResult> {
        const t = this.need();
        const intent = `refund:${t.clientContract.toRawString()}:${randomU64()}`;
        return this.settle(
            this.o.outbox.enqueue({ intent, to: t.clientContract, value: OP_VALUE, body: clientMessages.requestRefund(randomU64(), this.o.wallet) }),
        );
    }

    status(): PaymentsStatus {
        const t = this.target;
        const best = t && this.o.store.bestCharge(t.clientContract.toRawString());
        const c = this.contract;
        return {
            clientContract: t?.clientContract.toString() ?? null,
            proxyContract: t?.proxy.contract ?? null,
            pricePerToken: t?.prices.pricePerToken.toString() ?? null,
            ledger: this.ledger ?? null,
            contract: c
                ? {
                      state: c.state,
                      balance: c.balance.toString(),
                      stake: c.stake.toString(),
                      tokensUsed: c.tokensUsed.toString(),
                      secretHashSet: c.secretHash !== 0n,
                  }
                : null,
            bestCharge: best ? best.tokens.toString() : null,
            rejectedCharges: this.rejectedCharges,
            outboxPending: this.o.outbox.pending,
        };
    }

    /** The wallet's balance and the client contract's, with its deposit, stake and charged tokens (read from the chain now). */
    balances(): Promise<BalanceRow[]> {
        const { chain, wallet } = this.o;
        const contract = this.target?.clientContract;
        const figures = async (address: Address): Promise<[string, string | null][]> => {
            const c = await readClientContract(chain, address);
            return [['state', contractStateName(c.state)], ['deposit', ton(c.balance)], ['stake', ton(c.stake)], ['tokens charged', c.tokensUsed.toString()]];
        };
        return Promise.all([
            accountBalance(chain, 'client wallet', wallet),
            ...(contract ? [accountBalance(chain, 'client contract', contract, () => figures(contract))] : []),
        ]);
    }

    /** The client contract as last read (after the last settlement), or undefined before the first read. */
    get contractState(): ClientContractState | undefined {
        return this.contract;
    }

    /** Waits for a running settlement and runs no more. */
    async stop(): Promise<void> {
        this.stopped = true;
        await this.running;
    }

    private need(): PaymentTarget {
        if (!this.target) throw new APIError(503, 'not attached to a proxy yet', 'not_connected');
        return this.target;
    }

    private offerCharge(t: PaymentTarget, boc: string): void {
        const log = this.o.log;
        const key = t.clientContract.toRawString();
        const best = this.o.store.bestCharge(key);
        // the proxy repeats its newest charge in every ledger until the next save-state: checked once
        if (best?.boc === boc) return;
        let tokens: bigint;
        try {
            const { payload } = validateEnvelope(Cell.fromBase64(boc), {
                publicKey: Buffer.from(t.proxy.publicKey, 'hex'),
                kinds: ['charge'],
                address: t.clientContract,
            });
            tokens = payload.newTokens!;
        } catch (e) {
            this.rejectedCharges++;
            log.error('rejected a signed charge from the proxy', { proxy: t.proxy.contract, error: e });
            return;
        }
        if (best && tokens < best.tokens) {
            this.rejectedCharges++;
            log.error('rejected a replayed signed charge (its count is below the best known)', { tokens, best: best.tokens });
            return;
        }
        if (this.o.store.offerCharge(key, { tokens, boc })) log.info('signed charge kept', { tokens });
    }

    /** Runs settlement now, or once more after the running one. */
    private schedule(): void {
        if (this.stopped) return;
        if (this.running) {
            this.again = true;
            return;
        }
        this.running = (async () => {
            do {
                this.again = false;
                try {
                    await this.settleOnce();
                } catch (e) {
                    this.o.log.warn('settlement failed; it runs again with the next ledger', { error: e });
                }
            } while (this.again && !this.stopped);
            this.running = undefined;
        })();
    }

    private async settleOnce(): Promise<void> {
        const t = this.need();
        const ledger = this.ledger;
        if (!ledger) return;
        const read = this.contractRead;
        const fresh = this.contract && read?.key === t.clientContract.toRawString() && Date.now() - read.at < STATE_REUSE_MS;
        let state = fresh ? this.contract! : await this.readState(t);
        if (state.state !== 0) return; // closing or closed: nothing to charge or top up
        const price = t.prices.pricePerToken;
        const stakeTokens = state.stake / price;
        const used = BigInt(ledger.tokensMax);
        const best = this.o.store.bestCharge(t.clientContract.toRawString());
        if (best && best.tokens > state.tokensUsed && used - state.tokensUsed > fractionOf(stakeTokens, this.o.thresholds.charge)) {
            await this.settle(this.enqueueCharge(t, best));
            state = await this.readState(t);
        }
        const paid = state.balance / price + state.tokensUsed;
        if (paid - used < fractionOf(stakeTokens, this.o.thresholds.topUp)) {
            // keyed by the state it was decided on: re-deciding before the top-up lands is the same intent
            const intent = `topup:${t.clientContract.toRawString()}:${state.tokensUsed}:${state.balance}`;
            await this.settle(this.enqueueTopUp(t, this.o.topUpAmount, intent));
            await this.readState(t);
        }
    }

    private enqueueCharge(t: PaymentTarget, best: { tokens: bigint; boc: string }): OutboxRecord {
        this.o.log.info('charging the client contract', { tokens: best.tokens });
        return this.o.outbox.enqueue({
            intent: `charge:${t.clientContract.toRawString()}:${best.tokens}`,
            to: t.clientContract,
            value: OP_VALUE,
            body: repackEnvelope(Cell.fromBase64(best.boc), this.o.wallet),
        });
    }

    private enqueueTopUp(t: PaymentTarget, amount: bigint, intent: string): OutboxRecord {
        this.o.log.info('topping up the client contract', { amount });
        return this.o.outbox.enqueue({
            intent,
            to: t.clientContract,
            value: amount + COMMISSION + MARGIN,
            body: clientMessages.topUp(randomU64(), amount, this.o.wallet),
        });
    }

    private async settle(record: OutboxRecord): Promise<ChainActionResult> {
        const done = await this.o.outbox.wait(record.id, SETTLE_WAIT_MS);
        const result = actionResult(done);
        const fields = { ...result };
        if (done.outcome === 'delivered') this.o.log.info('chain action delivered', fields);
        else this.o.log.error('chain action did not succeed', fields);
        return result;
    }

    private async readState(t: PaymentTarget): Promise<ClientContractState> {
        this.contract = await readClientContract(this.o.chain, t.clientContract);
        this.contractRead = { at: Date.now(), key: t.clientContract.toRawString() };
        return this.contract;
    }
}
