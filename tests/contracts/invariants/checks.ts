// The money invariants, checked after every step of the randomized test (see docs in invariants.spec.ts).
import { Address, Transaction } from '@ton/core';
import { ClientState, parseClientProxyRequest } from '../../../wrappers/client';
import { ProxyState } from '../../../wrappers/proxy';
import { exitCodeOf, OP } from '../payments.fixtures';
import { Action, Ledger, opOf } from './ops';
import { proxyLiabilities, Snapshot, sum } from './snapshot';
import { World } from './world';

export class InvariantViolation extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'InvariantViolation';
    }
}

/** Running totals over the whole run, in nanoTON. */
export interface RunLedger extends Ledger {
    /** What forced refunds drew from the proxy's stake (the rest came from the deposits). */
    forced: bigint;
    /** Storage fees the proxy contract paid. */
    proxyStorage: bigint;
    /** Value the proxy contract kept from messages it did not act on (1-nanoTON notifications). */
    proxyDust: bigint;
    /** Requests the proxy answered as not (fully) paid: proxy_client_unpaid, proxy_worker_unpaid. */
    unpaidAnswers: number;
}

export function emptyLedger(): RunLedger {
    return { charged: 0n, paidToWorkers: 0n, forced: 0n, proxyStorage: 0n, proxyDust: 0n, unpaidAnswers: 0 };
}

export interface Step {
    world: World;
    action: Action;
    before: Snapshot;
    after: Snapshot;
    txs: Transaction[];
    ledger: RunLedger;
}

const raw = (a: Address) => a.toRawString();
/** What the proxy contract always keeps (contracts/constants.tact STORAGE_ESTIMATE). */
const STORAGE_FLOOR = 10_000_000n;

function fail(msg: string): never {
    throw new InvariantViolation(msg);
}

/** A storage debt the transaction could not collect. */
function storageDueOf(tx: Transaction): bigint {
    const d = tx.description;
    return d.type === 'generic' && d.storagePhase ? d.storagePhase.storageFeesDue ?? 0n : 0n;
}

function storageOf(tx: Transaction): bigint {
    const d = tx.description;
    return d.type === 'generic' && d.storagePhase ? d.storagePhase.storageFeesCollected : 0n;
}

function accountOf(tx: Transaction): string | null {
    const info = tx.inMessage?.info;
    return info && info.type !== 'external-out' ? raw(info.dest as Address) : null;
}

/** The target's own transaction: its in-message comes from the action's sender. */
export function targetTx(action: Action, txs: Transaction[]): Transaction | undefined {
    const t = action.target;
    if (!t) return undefined;
    return txs.find((tx) => {
        const info = tx.inMessage?.info;
        return info?.type === 'internal' && info.src.equals(t.from) && info.dest.equals(t.to);
    });
}

/**
 * TON is conserved: the balances of all accounts change by exactly minus the fees. Fees are every transaction's
 * `totalFees` (storage, compute, action and import fees) plus the forwarding fee carried by every internal
 * message it sent (paid by the sender, collected by validators when the message is delivered; every message of a
 * step is delivered within the step).
 */
export function checkConservation(s: Step): void {
    let fees = 0n;
    for (const tx of s.txs) {
        fees += tx.totalFees.coins;
        for (const m of tx.outMessages.values()) if (m.info.type === 'internal') fees += m.info.forwardFee;
    }
    const delta = sum(s.after.balances.values()) - sum(s.before.balances.values());
    if (delta + fees !== 0n) fail(`TON not conserved: balances changed by ${delta}, fees were ${fees}`);
}

/** Counters never go back; client and proxy states never reopen; balances are never negative. */
export function checkMonotone(s: Step): void {
    s.before.clients.forEach((b, i) => {
        const a = s.after.clients[i];
        if (a.tokensUsed < b.tokensUsed) fail(`client ${i} tokens_used went from ${b.tokensUsed} to ${a.tokensUsed}`);
        if (a.state < b.state) fail(`client ${i} state went from ${b.state} to ${a.state}`);
        if (a.balance < 0n || a.stake < 0n) fail(`client ${i} balance ${a.balance}, stake ${a.stake}`);
    });
    s.before.workers.forEach((b, i) => {
        const a = s.after.workers[i];
        if (a.tokens < b.tokens) fail(`worker ${i} tokens went from ${b.tokens} to ${a.tokens}`);
    });
    if (s.after.proxy.state < s.before.proxy.state) fail(`proxy state went from ${s.before.proxy.state} to ${s.after.proxy.state}`);
    if (s.after.proxy.balance < 0n || s.after.proxy.stake < 0n) fail(`proxy earnings ${s.after.proxy.balance}, stake ${s.after.proxy.stake}`);
}

/**
 * Nobody but the rightful owner receives funds from a proxy, client or worker contract: every Payout goes to the
 * owner of the contract that sends it (for the proxy: its owner, or the owner of the client or worker contract
 * whose request it serves); every Excess goes to an address the submitter chose, and all excesses of a step
 * together are at most what the submitter attached; requests go to the proxy contract; bounces go back.
 */
export function checkRecipients(s: Step): void {
    const proxy = raw(s.world.proxy.address);
    let excesses = 0n;
    for (const tx of s.txs) {
        const account = accountOf(tx);
        const owner = account ? s.world.ownerOf.get(account) : undefined;
        if (!account || !owner) continue;
        const info = tx.inMessage!.info;
        const src = info.type === 'internal' ? raw(info.src) : null;
        for (const m of tx.outMessages.values()) {
            if (m.info.type !== 'internal') fail(`${account} sent a ${m.info.type} message`);
            const dest = raw(m.info.dest);
            const what = `message from ${account} to ${dest} (${m.info.value.coins} nanoTON)`;
            if (m.info.bounced) {
                if (dest !== src) fail(`bounced ${what} does not go back to the sender ${src}`);
                continue;
            }
            const op = opOf(m.body);
            if (op === OP.payout) {
                const allowed = [raw(owner)];
                const member = src ? s.world.ownerOf.get(src) : undefined;
                if (account === proxy && member && src !== proxy) allowed.push(raw(member));
                if (!allowed.includes(dest)) fail(`payout ${what} is not for the owner (${allowed.join(' or ')})`);
            } else if (op === OP.excesses) {
                if (!s.action.excessTo.some((a) => raw(a) === dest)) fail(`excess ${what} goes to an address the submitter did not choose`);
                excesses += m.info.value.coins;
            } else if (op === OP.proxyClientUnpaid || op === OP.proxyWorkerUnpaid) {
                if (account !== proxy || dest !== src) fail(`answer ${what} does not go from the proxy contract to the member whose request it serves`);
            } else if (op === OP.clientProxyRequest || op === OP.workerProxyRequest) {
                if (dest !== proxy || account === proxy) fail(`request ${what} does not go from a member to the proxy contract`);
            } else {
                fail(`unexpected ${what} with op ${op === null ? 'none' : '0x' + op.toString(16)}`);
            }
        }
    }
    if (excesses > s.action.value) fail(`excesses total ${excesses}, more than the ${s.action.value} attached`);
}

/** The exit code the generator predicted, when it could. */
export function checkExpectedExit(s: Step): void {
    if (s.action.expectExit === undefined) return;
    const tx = targetTx(s.action, s.txs);
    if (!tx) fail('the target contract has no transaction from the sender');
    const exit = exitCodeOf(tx);
    if (exit !== s.action.expectExit) fail(`target exited with ${exit}, expected ${s.action.expectExit}`);
}

/**
 * The accounting effect of the step, against the contracts' rules (ref §11): returns what clients were charged
 * (C), what workers were paid (W, at price_per_token per token), and what forced refunds drew from the proxy's
 * stake (F). Also checks the charge arithmetic, and that a worker's owner got exactly tokens × worker_fee_per_token
 * while the proxy's earnings grew by tokens × (price − fee).
 */
export function accountingEffect(s: Step): { charged: bigint; paid: bigint; forced: bigint } {
    const { pricePerToken: price, workerFeePerToken: fee } = s.world.params;
    const e = s.action.effect;
    const tx = targetTx(s.action, s.txs);
    const ok = tx !== undefined && exitCodeOf(tx) === 0;
    let charged = 0n;
    let forced = 0n;
    charged = chargedBy(s);
    if ((e.kind === 'charge' || e.kind === 'grantRefund') && ok) {
        const b = s.before.clients[e.client];
        const a = s.after.clients[e.client];
        if (a.tokensUsed !== e.newTokens) fail(`client ${e.client} tokens_used ${a.tokensUsed} after a ${e.kind} to ${e.newTokens}`);
        if (e.kind === 'charge' && a.balance !== b.balance - charged) {
            fail(`client ${e.client} balance ${a.balance} after charging ${charged} from ${b.balance}`);
        }
        // What the refund did not pay stays on the balance (checkCountersMatchMoney checks the amounts).
        if (e.kind === 'grantRefund' && a.state !== ClientState.closed) fail(`client ${e.client} state ${a.state} after a grant-refund`);
    }
    if (e.kind === 'requestRefund' && ok && s.before.clients[e.client].state !== ClientState.normal) {
        const a = s.after.clients[e.client];
        if (a.state !== ClientState.closed) fail(`client ${e.client} state ${a.state} after a forced refund`);
        // A forced refund draws the proxy's stake first (slack + what it drew), then the deposits (slack unchanged).
        forced = s.before.proxy.stake - s.after.proxy.stake;
    }
    let paidTokens = 0n;
    s.before.workers.forEach((b, i) => (paidTokens += s.after.workers[i].tokens - b.tokens));
    if (e.kind === 'workerPayout') {
        const w = s.world.workers[e.worker];
        const received = sum(
            s.txs
                .filter((t) => accountOf(t) === raw(s.world.proxy.address))
                .flatMap((t) => [...t.outMessages.values()])
                .filter((m) => m.info.type === 'internal' && m.info.dest.equals(w.owner.address) && opOf(m.body) === OP.payout)
                .map((m) => (m.info.type === 'internal' ? m.info.value.coins : 0n)),
        );
        if (received !== paidTokens * fee) fail(`worker ${e.worker} owner received ${received} for ${paidTokens} tokens`);
        const earned = s.after.proxy.balance - s.before.proxy.balance;
        if (earned !== paidTokens * (price - fee)) fail(`proxy earnings grew by ${earned} for ${paidTokens} worker tokens`);
    }
    return { charged, paid: paidTokens * price, forced };
}

/** What the step's charge or grant-refund took from the client's balance (an over-charge empties it). */
function chargedBy(s: Step): bigint {
    const e = s.action.effect;
    const tx = targetTx(s.action, s.txs);
    if ((e.kind !== 'charge' && e.kind !== 'grantRefund') || tx === undefined || exitCodeOf(tx) !== 0) return 0n;
    const b = s.before.clients[e.client];
    const cost = (e.newTokens - b.tokensUsed) * s.world.params.pricePerToken;
    return cost < b.balance ? cost : b.balance;
}

/** The proxy's transactions on requests from `member`, and the payouts they made to `owner`. */
function proxyServing(s: Step, member: Address, owner: Address) {
    const proxy = raw(s.world.proxy.address);
    const txs = s.txs.filter((t) => accountOf(t) === proxy && t.inMessage?.info.type === 'internal' && t.inMessage.info.src.equals(member));
    const out = txs.flatMap((t) => [...t.outMessages.values()]);
    const coinsTo = (to: Address, op: number) =>
        out.filter((m) => m.info.type === 'internal' && m.info.dest.equals(to) && opOf(m.body) === op).map((m) => (m.info.type === 'internal' ? m.info.value.coins : 0n));
    return { txs, out, paid: sum(coinsTo(owner, OP.payout)) };
}

/**
 * Issue 11, principle 2: a counter never advances for money that did not move. In every step, for every client, the
 * balance changes by exactly the top-ups the proxy kept, less what the proxy paid its owner on its requests, less
 * the charge; for every worker, the tokens counted change by exactly what the proxy paid its owner, at
 * worker_fee_per_token (so a closed worker has been paid every token it counts: principle 4).
 */
export function checkCountersMatchMoney(s: Step): void {
    const e = s.action.effect;
    for (const tx of s.txs) {
        for (const m of tx.outMessages.values()) {
            const op = opOf(m.body);
            if (op === OP.proxyClientUnpaid || op === OP.proxyWorkerUnpaid) s.ledger.unpaidAnswers++;
        }
    }
    s.world.clients.forEach((c, i) => {
        const { txs, out, paid } = proxyServing(s, c.contract.address, c.owner.address);
        let kept = 0n;
        for (const tx of txs) {
            const body = tx.inMessage!.body;
            if (opOf(body) !== OP.clientProxyRequest) continue;
            const p = parseClientProxyRequest(body).payload;
            if (p?.kind === 'topUp') kept += p.coins;
        }
        for (const m of out) {
            if (m.info.type !== 'internal' || !m.info.dest.equals(c.contract.address) || opOf(m.body) !== OP.proxyClientUnpaid) continue;
            const a = m.body.beginParse().skip(96);
            const requestOp = a.loadUint(32);
            if (requestOp === OP.clientProxyTopUp) kept -= a.loadCoins();
        }
        const charged = (e.kind === 'charge' || e.kind === 'grantRefund') && e.client === i ? chargedBy(s) : 0n;
        // A client deployed in this step starts with a zero balance.
        const delta = s.after.clients[i].balance - (s.before.clients[i]?.balance ?? 0n);
        if (delta !== kept - paid - charged) {
            fail(`client ${i} balance changed by ${delta}, but the proxy kept ${kept} of its top-ups, paid ${paid} to its owner and ${charged} was charged`);
        }
    });
    const fee = s.world.params.workerFeePerToken;
    s.world.workers.forEach((w, j) => {
        const { paid } = proxyServing(s, w.contract.address, w.owner.address);
        const counted = s.after.workers[j].tokens - (s.before.workers[j]?.tokens ?? 0n);
        if (counted * fee !== paid) fail(`worker ${j} counts ${counted} more tokens but its owner was paid ${paid}`);
    });
}

/**
 * The proxy contract's TON covers what it owes: client balances held for it, its earnings and its stake. We
 * check the exact change of the slack (TON − owed) and that the slack stays non-negative, except by what the proxy
 * paid workers beyond what it charged clients (the contracts do not link charges and payouts, ref §5.4: a proxy
 * key that signs unbacked payouts pays workers out of client deposits; the test does this now and then):
 *   Δslack = C − W + F − proxy storage fees + what a sending proxy kept of a message's value to stay at its
 *            0.01 TON floor (or to pay a storage debt) + value kept from messages the proxy did not act on.
 * Charges free client money for the proxy (C); paying a worker spends it (W, at the full price: worker part out,
 * proxy part into earnings); a forced refund pays from the stake first (F: the stake it drew; the client's balance
 * falls by what was paid, the stake by F) and then from the deposits (client balance and TON fall alike).
 * Not checked once the proxy is closed: close-complete pays everything but 0.01 TON to the owner, whatever client
 * balances remain (the reference design expects the proxy service to grant-refund every client first).
 */
export function checkProxyCoverage(s: Step, effect: { charged: bigint; paid: bigint; forced: bigint }): void {
    const proxy = raw(s.world.proxy.address);
    let storage = 0n;
    let dust = 0n;
    let floor = 0n;
    let balance = s.before.balances.get(proxy)!;
    for (const tx of s.txs.filter((t) => accountOf(t) === proxy)) {
        storage += storageOf(tx);
        const info = tx.inMessage!.info;
        const held = balance - storageOf(tx);
        balance = held + storageOf(tx) + (info.type === 'internal' ? info.value.coins : 0n) - tx.totalFees.coins;
        for (const m of tx.outMessages.values()) if (m.info.type === 'internal') balance -= m.info.value.coins + m.info.forwardFee;
        if (tx.outMessagesCount === 0 && info.type === 'internal') {
            dust += info.value.coins - (tx.totalFees.coins - storageOf(tx));
        } else if (exitCodeOf(tx) === 0) {
            // COCOON's keep: at least what the proxy held (with a storage debt it could not pay), at least 0.01 TON;
            // what that adds to what it held comes out of the message's value.
            const keep = held + storageDueOf(tx) > STORAGE_FLOOR ? held + storageDueOf(tx) : STORAGE_FLOOR;
            floor += keep - held;
        }
    }
    s.ledger.charged += effect.charged;
    s.ledger.paidToWorkers += effect.paid;
    s.ledger.forced += effect.forced;
    s.ledger.proxyStorage += storage;
    s.ledger.proxyDust += dust;
    if (s.after.proxy.state === ProxyState.closed) return;
    const slack = (x: Snapshot) => x.balances.get(proxy)! - proxyLiabilities(x);
    const expected = effect.charged - effect.paid + effect.forced - storage + floor + dust;
    const actual = slack(s.after) - slack(s.before);
    if (actual !== expected) {
        fail(`proxy slack changed by ${actual}, expected ${expected} (C ${effect.charged}, W ${effect.paid}, F ${effect.forced}, storage ${storage}, kept to reach its floor ${floor}, kept ${dust})`);
    }
    // A shortfall is allowed only up to what the proxy paid workers beyond what it charged clients.
    const overpaid = s.ledger.paidToWorkers - s.ledger.charged;
    const allowed = overpaid > 0n ? -overpaid : 0n;
    if (slack(s.after) < allowed) {
        fail(`proxy TON ${s.after.balances.get(proxy)} does not cover what it owes (${proxyLiabilities(s.after)}) less the ${overpaid > 0n ? overpaid : 0n} it paid workers beyond its charges`);
    }
}

export function checkStep(s: Step): void {
    checkExpectedExit(s);
    checkConservation(s);
    checkMonotone(s);
    checkRecipients(s);
    checkCountersMatchMoney(s);
    checkProxyCoverage(s, accountingEffect(s));
}
