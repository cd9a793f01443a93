import { Address, toNano } from '@ton/core';
import type { ChainClient } from '../chain';
import type { Outbox, OutboxRecord } from '../chain/outbox';
import { readClientContract, readProxyContract } from '../chain/cocoon';
import { randomU64 } from '../protocol';
import type { Logger } from '../runtime';
import { clientMessages } from '../../wrappers/client';
import type { ClientStore } from './store';

const OP_VALUE = toNano('0.2');
const TICK_MS = 2000;
/** Seconds past an unlock time before acting on it (clock skew between this machine and the chain). */
const UNLOCK_MARGIN_S = 2;
/** A step whose last attempt settled without effect is tried again no sooner than this (each attempt costs fees). */
const RETRY_MS = 60_000;

/** Where recovering one client contract's deposit stands. */
export interface RecoveryStatus {
    clientContract: string;
    proxyContract: string;
    /**
     * watching: the proxy is there; requested: closing, waiting for the unlock; forced: forced refund sent;
     * recovered: closed; stranded: the proxy contract closed before paying, so no refund can come from it.
     */
    state: 'watching' | 'requested' | 'forced' | 'recovered' | 'stranded';
    reason: string | null;
    /** Unix seconds after which the refund can be forced. */
    unlockAt: number | null;
}

export interface RecoveryOptions {
    chain: ChainClient;
    outbox: Outbox;
    store: ClientStore;
    wallet: Address;
    log: Logger;
    lostAfterMs: number;
    /** The client contract of the session that is up now, if any (its proxy is not lost). */
    connectedTo: () => string | null;
    /** How the contracts are read (default: their getters through `chain`); null for a client contract not deployed. */
    contracts?: ContractReader;
    now?: () => number;
}

/** What recovery reads of a client or proxy contract. */
export interface ContractReader {
    client(address: Address): Promise<{ state: number; unlockTs: number } | null>;
    proxy(address: Address): Promise<{ state: number; unlockTs: number }>;
}

function chainReader(chain: ChainClient): ContractReader {
    return {
        client: async (a) => ((await chain.getAccount(a)).state === 'active' ? readClientContract(chain, a) : null),
        proxy: (a) => readProxyContract(chain, a),
    };
}

/**
 * Gets the deposit back by itself when a proxy disappears (spec "Closing"): for every client contract this client
 * ever used that still holds a deposit, once its proxy has been unreachable for `lostAfterMs` (or its proxy contract
 * is closing past its close delay without having refunded this client), it sends request_refund (the contract starts
 * closing; a living proxy would now grant the refund) and, after the client close delay, request_refund again: the
 * forced refund. Every step goes through the outbox under an intent naming it.
 */
export class DepositRecovery {
    private timer: NodeJS.Timeout | null = null;
    private running: Promise<void> | null = null;
    private readonly statuses = new Map<string, RecoveryStatus>();
    private readonly contracts: ContractReader;
    private readonly now: () => number;

    constructor(private readonly o: RecoveryOptions) {
        this.contracts = o.contracts ?? chainReader(o.chain);
        this.now = o.now ?? Date.now;
    }

    start(): void {
        this.timer = setInterval(() => void this.tick(), TICK_MS);
    }

    /** Stops ticking; resolves once a pass in progress has ended. */
    async stop(): Promise<void> {
        if (this.timer) clearInterval(this.timer);
        this.timer = null;
        await this.running;
    }

    status(): RecoveryStatus[] {
        return [...this.statuses.values()];
    }

    /** One pass over the client contracts; a pass already running is not doubled. */
    tick(): Promise<void> {
        this.running ??= this.pass().finally(() => (this.running = null));
        return this.running;
    }

    private async pass(): Promise<void> {
        try {
            const connected = this.o.connectedTo();
            for (const a of this.o.store.attachments()) {
                if (a.clientContract === connected) {
                    this.o.store.attached(a.clientContract, a.proxyContract, this.now());
                    this.statuses.delete(a.clientContract);
                    continue;
                }
                await this.check(a);
            }
        } catch (e) {
            this.o.log.warn('deposit recovery: will try again', { error: e });
        }
    }

    private async check(a: { clientContract: string; proxyContract: string; lastConnected: number }): Promise<void> {
        const { o } = this;
        const contract = Address.parse(a.clientContract);
        const client = await this.contracts.client(contract);
        if (!client) return;
        const set = (state: RecoveryStatus['state'], reason: string | null, unlockAt: number | null) => {
            const previous = this.statuses.get(a.clientContract);
            this.statuses.set(a.clientContract, { clientContract: a.clientContract, proxyContract: a.proxyContract, state, reason, unlockAt });
            if (previous?.state !== state) o.log.info(`deposit recovery: ${state}`, { clientContract: a.clientContract, proxyContract: a.proxyContract, reason, unlockAt });
        };
        const now = this.now() / 1000;
        if (client.state === 2) return set('recovered', null, null);
        if (client.state === 1) {
            if (now < client.unlockTs + UNLOCK_MARGIN_S) return set('requested', this.statuses.get(a.clientContract)?.reason ?? 'closing', client.unlockTs);
            // a closed proxy contract answers every forced refund "not paid": sending more would only spend fees
            if ((await this.contracts.proxy(Address.parse(a.proxyContract))).state === 2) {
                return set('stranded', 'the proxy contract closed without refunding this client; its deposit can only come from the proxy owner', client.unlockTs);
            }
            this.send(`recover:${a.clientContract}:force`, contract);
            return set('forced', 'the close delay passed without a refund from the proxy', client.unlockTs);
        }
        const lost = await this.lostReason(a, now);
        if (!lost) return set('watching', null, null);
        this.send(`recover:${a.clientContract}:request`, contract);
        set('requested', lost, null);
    }

    /** Why the proxy counts as gone, or null while it may still come back or refund this client itself. */
    private async lostReason(a: { proxyContract: string; lastConnected: number }, now: number): Promise<string | null> {
        const proxy = await this.contracts.proxy(Address.parse(a.proxyContract));
        if (proxy.state === 2) return 'the proxy contract is closed';
        if (proxy.state === 1 && now >= proxy.unlockTs + UNLOCK_MARGIN_S) return 'the proxy contract is closing and its close delay passed';
        if (proxy.state === 1) return null; // a retiring proxy refunds its clients before its close delay ends
        const silentMs = this.now() - a.lastConnected;
        return silentMs >= this.o.lostAfterMs ? `no connection to the proxy for ${Math.round(silentMs / 1000)} s` : null;
    }

    /**
     * The request_refund of this step: sent again only once the previous attempt has settled without effect, and no
     * sooner than RETRY_MS after that attempt was decided.
     */
    private send(step: string, to: Address): OutboxRecord {
        let n = 0;
        let r: OutboxRecord | undefined;
        let last: OutboxRecord | undefined;
        while ((r = this.o.outbox.byIntent(`${step}:${n}`)) && r.outcome !== null) {
            last = r;
            n++;
        }
        if (r) return r;
        if (last && this.now() - last.createdAt < RETRY_MS) return last;
        return this.o.outbox.enqueue({ intent: `${step}:${n}`, to, value: OP_VALUE, body: clientMessages.requestRefund(randomU64(), this.o.wallet) });
    }
}
