// Random operations for the invariant test: valid and invalid messages to every contract, built only with the
// wrappers (message builders, signing). Each generator reads the current state and returns one `Action`.
import { Address, Cell, external, internal, toNano, Transaction } from '@ton/core';
import { sign } from '@ton/crypto';
import { SendMessageResult } from '@ton/sandbox';
import { clientMessages, ClientState } from '../../../wrappers/client';
import { ProxyState, proxyMessages } from '../../../wrappers/proxy';
import { WorkerState } from '../../../wrappers/worker';
import { addHashBody } from '../../../wrappers/root';
import { envelopeCell, payloadCell, signEnvelope, SignedKind, SignedPayload } from '../../../wrappers/signing';
import { ExitCode } from '../../../wrappers/exitCodes';
import { proxyKeys, wrongKeys } from '../payments.fixtures';
import { Prng } from './prng';
import { Snapshot } from './snapshot';
import { Treasury, World } from './world';

/** What the checks need to know about an action to model its accounting effect. */
export type Effect =
    | { kind: 'charge' | 'grantRefund'; client: number; newTokens: bigint }
    | { kind: 'requestRefund'; client: number }
    | { kind: 'workerPayout'; worker: number }
    | { kind: 'proxyWithdraw' }
    | { kind: 'none' };

export interface Action {
    /** Operation kind, for the tally (e.g. "charge/stale"). */
    name: string;
    /** What exactly was sent, for failure messages. */
    label: string;
    /** Value attached by whoever pays for the action (0 for a clock advance). */
    value: bigint;
    /** The only addresses that may receive an excess in this step. */
    excessTo: Address[];
    effect: Effect;
    /** Exit code the first transaction on the target must end with, when the generator can tell. */
    expectExit?: number;
    /** The target's transaction is the one whose in-message comes from this address (undefined: no target). */
    target?: { from: Address; to: Address };
    run(): Promise<SendMessageResult>;
}

/** Sums the harness tracks across steps: what clients were charged and what workers were paid, in nanoTON. */
export interface Ledger {
    charged: bigint;
    paidToWorkers: bigint;
}

export interface GenContext {
    world: World;
    rng: Prng;
    state: Snapshot;
    ledger: Ledger;
    /** Closing the proxy is allowed from this step on, so that most of the run has a working proxy. */
    lateGame: boolean;
}

const NO_TRANSACTIONS: SendMessageResult = { transactions: [], events: [], externals: [] };
export const MAX_CLIENTS = 16;
export const MAX_WORKERS = 10;

function send(from: Treasury, to: Address, value: bigint, body: Cell): () => Promise<SendMessageResult> {
    return () => from.send({ to, value, body });
}

const queryId = (g: GenContext) => BigInt(g.rng.int(1, 0x7fffffff));
const excessAddress = (g: GenContext) => g.rng.pick([g.world.submitter, ...g.world.sinks]).address;
const ton = (s: string) => toNano(s);
/** A value at or above what every signed and owner op needs, sometimes generous. */
const opValue = (g: GenContext) => g.rng.pick([ton('0.2'), ton('0.35'), ton('1')]);

export function messageAction(
    name: string,
    from: Treasury,
    to: Address,
    value: bigint,
    body: Cell,
    excessTo: Address[],
    effect: Effect = { kind: 'none' },
    expectExit?: number,
): Action {
    return {
        name,
        label: `${name} from ${from.address.toRawString()} to ${to.toRawString()} value ${value}`,
        value,
        excessTo,
        effect,
        expectExit,
        target: { from: from.address, to },
        run: send(from, to, value, body),
    };
}

function signed(payload: SignedPayload, excessTo: Address, key = proxyKeys.secretKey): Cell {
    return signEnvelope(payload, key, excessTo);
}

/** An envelope whose payload differs from it in op or query_id (1005), correctly signed. */
function mismatched(g: GenContext, kind: SignedKind, wrongKind: SignedKind, p: Omit<SignedPayload, 'kind'>, excessTo: Address): Cell {
    const sameOp = g.rng.chance(0.5);
    const payload = payloadCell({ ...p, kind: sameOp ? kind : wrongKind });
    return envelopeCell({
        kind,
        queryId: sameOp ? p.queryId + 1n : p.queryId,
        sendExcessesTo: excessTo,
        signature: sign(payload.hash(), proxyKeys.secretKey),
        payload,
    });
}

// ---- clients ----

function pickClient(g: GenContext, openOnly = false): number {
    const open = g.state.clients.map((c, i) => (c.state !== ClientState.closed ? i : -1)).filter((i) => i >= 0);
    return openOnly && open.length > 0 ? g.rng.pick(open) : g.rng.int(0, g.world.clients.length - 1);
}

function topUp(g: GenContext): Action {
    const i = pickClient(g, g.rng.chance(0.8));
    const amount = g.rng.big(ton('0.1'), ton('5'));
    const value = amount + (g.rng.chance(0.1) ? ton('0.05') : g.rng.big(ton('0.15'), ton('0.5')));
    const from = g.rng.pick([g.world.clients[i].owner, g.world.submitter, g.world.strangers[0]]);
    const to = excessAddress(g);
    const c = g.world.clients[i];
    if (from === c.owner && g.rng.chance(0.3)) {
        const body = clientMessages.changeSecretHashAndTopUp(queryId(g), amount, BigInt(g.rng.next()), to);
        return messageAction('client/changeSecretAndTopUp', from, c.contract.address, value, body, [to]);
    }
    return messageAction('client/topUp', from, c.contract.address, value, clientMessages.topUp(queryId(g), amount, to), [to]);
}

function charge(g: GenContext): Action {
    const i = pickClient(g, true);
    const c = g.world.clients[i];
    const st = g.state.clients[i];
    const to = excessAddress(g);
    const qid = queryId(g);
    const price = g.world.params.pricePerToken;
    const variant = g.rng.weighted([6, 1, 1, 1, 1]);
    const closed = st.state === ClientState.closed;
    if (variant === 0) {
        // Sometimes more than the balance covers: the contract empties the balance instead of failing.
        const delta = g.rng.big(1n, (st.balance * 13n) / (10n * price) + 2n);
        const newTokens = st.tokensUsed + delta;
        const body = signed({ kind: 'charge', queryId: qid, newTokens, expectedMyAddress: c.contract.address }, to);
        return messageAction('charge/valid', g.world.submitter, c.contract.address, opValue(g), body, [to], { kind: 'charge', client: i, newTokens }, closed ? ExitCode.Closed : 0);
    }
    if (variant === 1) {
        const newTokens = g.rng.big(0n, st.tokensUsed);
        const body = signed({ kind: 'charge', queryId: qid, newTokens, expectedMyAddress: c.contract.address }, to);
        return messageAction('charge/stale', g.world.submitter, c.contract.address, opValue(g), body, [to], { kind: 'none' }, closed ? ExitCode.Closed : ExitCode.OldMessage);
    }
    if (variant === 2) {
        // A payload signed for another client, replayed here.
        const j = (i + 1 + g.rng.int(0, g.world.clients.length - 2)) % g.world.clients.length;
        const other = g.world.clients[j].contract.address;
        const newTokens = st.tokensUsed + g.rng.big(1n, 1000n);
        const body = signed({ kind: 'charge', queryId: qid, newTokens, expectedMyAddress: other }, to);
        const exit = closed ? ExitCode.Closed : ExitCode.ExpectedMyAddress;
        return messageAction('charge/replayedOnOtherClient', g.world.submitter, c.contract.address, opValue(g), body, [to], { kind: 'none' }, exit);
    }
    const newTokens = st.tokensUsed + g.rng.big(1n, 1000n);
    const p = { queryId: qid, newTokens, expectedMyAddress: c.contract.address };
    if (variant === 3) {
        const body = signed({ kind: 'charge', ...p }, to, wrongKeys.secretKey);
        return messageAction('charge/wrongKey', g.world.submitter, c.contract.address, opValue(g), body, [to], { kind: 'none' }, ExitCode.BadSignature);
    }
    const body = mismatched(g, 'charge', 'grantRefund', p, to);
    return messageAction('charge/wrongOpOrQueryId', g.world.submitter, c.contract.address, opValue(g), body, [to], { kind: 'none' }, ExitCode.SignedMsgFormatMismatch);
}

function grantRefund(g: GenContext): Action {
    const i = pickClient(g, true);
    const c = g.world.clients[i];
    const st = g.state.clients[i];
    const to = excessAddress(g);
    const newTokens = st.tokensUsed + (g.rng.chance(0.3) ? 0n : g.rng.big(1n, 500n));
    const body = signed({ kind: 'grantRefund', queryId: queryId(g), newTokens, expectedMyAddress: c.contract.address }, to);
    const exit = st.state === ClientState.closed && st.balance === 0n ? ExitCode.Closed : 0;
    return messageAction('grantRefund/valid', g.world.submitter, c.contract.address, ton('1'), body, [to], { kind: 'grantRefund', client: i, newTokens }, exit);
}

function clientOwnerOp(g: GenContext): Action {
    const i = pickClient(g, g.rng.chance(0.8));
    const c = g.world.clients[i];
    const st = g.state.clients[i];
    const byOwner = g.rng.chance(0.8);
    const from = byOwner ? c.owner : g.rng.pick(g.world.strangers);
    const to = excessAddress(g);
    const qid = queryId(g);
    const closed = st.state === ClientState.closed;
    const who = byOwner ? 'owner' : 'stranger';
    const op = g.rng.pick(['register', 'changeSecret', 'increaseStake', 'withdraw', 'requestRefund'] as const);
    const value = opValue(g);
    const addr = c.contract.address;
    switch (op) {
        case 'register':
            return messageAction(`client/register/${who}`, from, addr, value, clientMessages.register(qid, BigInt(g.rng.next()), to), [to], { kind: 'none' },
                byOwner ? undefined : closed ? ExitCode.Closed : ExitCode.ExpectedMessageFromOwner);
        case 'changeSecret':
            return messageAction(`client/changeSecret/${who}`, from, addr, value, clientMessages.changeSecretHash(qid, BigInt(g.rng.next()), to), [to], { kind: 'none' },
                byOwner ? undefined : closed ? ExitCode.Closed : ExitCode.ExpectedMessageFromOwner);
        case 'increaseStake': {
            const newStake = st.stake + g.rng.big(-ton('0.5'), ton('2'));
            const body = clientMessages.increaseStake(qid, newStake < 0n ? 0n : newStake, to);
            return messageAction(`client/increaseStake/${who}`, from, addr, value, body, [to], { kind: 'none' },
                byOwner ? undefined : closed ? ExitCode.Closed : ExitCode.ExpectedMessageFromOwner);
        }
        case 'withdraw':
            return messageAction(`client/withdraw/${who}`, from, addr, value, clientMessages.withdraw(qid, to), [to], { kind: 'none' },
                byOwner ? undefined : st.state !== ClientState.normal ? ExitCode.Closed : ExitCode.ExpectedOwner);
        case 'requestRefund':
            return messageAction(`client/requestRefund/${who}`, from, addr, value, clientMessages.requestRefund(qid, to), [to], byOwner ? { kind: 'requestRefund', client: i } : { kind: 'none' },
                byOwner ? undefined : closed && st.balance === 0n ? ExitCode.Closed : ExitCode.ExpectedOwner);
    }
}

// ---- issue 11 attacks ----

/** Anyone may top up any client with 0 TON and any query_id, at any time. */
function strangerZeroTopUp(g: GenContext, i = g.rng.int(0, g.world.clients.length - 1), qid = queryId(g)): Action {
    const c = g.world.clients[i];
    const to = excessAddress(g);
    const closed = g.state.clients[i].state === ClientState.closed;
    return messageAction('attack/zeroTopUp', g.world.strangers[1], c.contract.address, ton('0.2'), clientMessages.topUp(qid, 0n, to), [to], { kind: 'none' }, closed ? ExitCode.Closed : undefined);
}

/**
 * The owner's withdrawal or refund request, delivered one transaction at a time: right after the client contract
 * sent it, or right after the proxy contract answered it (paid, in part or not at all), a stranger sends one or two
 * zero top-ups to the client, one of them sometimes with the request's query_id, before the answer reaches the client.
 */
function refundUnderZeroTopUps(g: GenContext): Action {
    const i = pickClient(g, g.rng.chance(0.7));
    const c = g.world.clients[i];
    const st = g.state.clients[i];
    const to = excessAddress(g);
    const strangerTo = excessAddress(g);
    const qid = queryId(g);
    const withdraw = st.state === ClientState.normal && st.balance > st.stake && g.rng.chance(0.7);
    const body = withdraw ? clientMessages.withdraw(qid, to) : clientMessages.requestRefund(qid, to);
    const attackIds = g.rng.chance(0.5) ? [g.rng.chance(0.5) ? qid : queryId(g)] : [queryId(g), queryId(g)];
    const afterProxy = g.rng.chance(0.7);
    const name = `attack/${withdraw ? 'withdraw' : 'requestRefund'}UnderZeroTopUps`;
    const value = opValue(g);
    const zeroTopUp = (q: bigint) => g.world.strangers[1].send({ to: c.contract.address, value: ton('0.2'), body: clientMessages.topUp(q, 0n, strangerTo) });
    return {
        name,
        label: `${name} on client ${i}, query_id ${qid}, stranger's query_ids ${attackIds.join(', ')} after the ${afterProxy ? 'proxy' : 'client'}`,
        value: value + ton('0.2') * BigInt(attackIds.length),
        excessTo: [to, strangerTo],
        effect: withdraw ? { kind: 'none' } : { kind: 'requestRefund', client: i },
        target: { from: c.owner.address, to: c.contract.address },
        run: async () => {
            const transfer = c.owner.createTransfer({ messages: [internal({ to: c.contract.address, value, body })] });
            const it = await g.world.blockchain.sendMessageIter(external({ to: c.owner.address, body: transfer }), { allowParallel: true });
            const txs: Transaction[] = [];
            let attacked = false;
            const attack = async () => {
                attacked = true;
                for (const q of attackIds) txs.push(...(await zeroTopUp(q)).transactions);
            };
            for (let n = await it.next(); !n.done; n = await it.next()) {
                txs.push(n.value);
                const info = n.value.inMessage?.info;
                const [from, to] = afterProxy ? [c.contract.address, g.world.proxy.address] : [c.owner.address, c.contract.address];
                if (!attacked && info?.type === 'internal' && info.src.equals(from) && info.dest.equals(to)) await attack();
            }
            if (!attacked) await attack();
            return { transactions: txs as SendMessageResult['transactions'], events: [], externals: [] };
        },
    };
}

/** A payout and a last payout for the same count in one transaction of the submitter; the payout may be beyond funds. */
function payoutRacingLastPayout(g: GenContext): Action {
    const open = g.state.workers.map((w, i) => (w.state !== WorkerState.closed ? i : -1)).filter((i) => i >= 0);
    const i = open.length > 0 ? g.rng.pick(open) : g.rng.int(0, g.world.workers.length - 1);
    const w = g.world.workers[i];
    const st = g.state.workers[i];
    const to = excessAddress(g);
    const proxyTon = g.state.balances.get(g.world.proxy.address.toRawString()) ?? 0n;
    const { pricePerToken: price, workerFeePerToken: fee } = g.world.params;
    const backed = (g.ledger.charged - g.ledger.paidToWorkers) / price;
    // Beyond what the proxy holds, or what it charged (then often unpaid too).
    const newTokens = st.tokens + (g.rng.chance(0.5) ? proxyTon / fee + 1n : (backed > 0n ? backed : 0n) + 1n);
    const env = (kind: 'payout' | 'lastPayout', q: bigint) => signed({ kind, queryId: q, newTokens, expectedMyAddress: w.contract.address }, to);
    const value = opValue(g);
    const name = 'attack/payoutRacingLastPayout';
    return {
        name,
        label: `${name} on worker ${i} to ${newTokens} tokens`,
        value: 2n * value,
        excessTo: [to],
        effect: { kind: 'workerPayout', worker: i },
        target: { from: g.world.submitter.address, to: w.contract.address },
        run: () =>
            g.world.submitter.sendMessages([
                internal({ to: w.contract.address, value, body: env('payout', queryId(g)) }),
                internal({ to: w.contract.address, value, body: env('lastPayout', queryId(g)) }),
            ]),
    };
}

/** The owner of a closing client past its unlock time, or of a closed one with a balance left, forces a refund. */
function forcedRefund(g: GenContext): Action | null {
    const now = g.world.blockchain.now ?? 0;
    const due = g.state.clients
        .map((c, i) => ((c.state === ClientState.closing && c.unlockTs < now) || (c.state === ClientState.closed && c.balance > 0n) ? i : -1))
        .filter((i) => i >= 0);
    return due.length > 0 ? ownerRequestsRefund(g, g.rng.pick(due)) : null;
}

/** A payout (backed by nothing) that leaves the proxy contract with little TON above its floor. */
function drainProxy(g: GenContext): Action {
    const open = g.state.workers.map((w, i) => (w.state !== WorkerState.closed ? i : -1)).filter((i) => i >= 0);
    const i = open.length > 0 ? g.rng.pick(open) : 0;
    const w = g.world.workers[i];
    const to = excessAddress(g);
    const fee = g.world.params.workerFeePerToken;
    const proxyTon = g.state.balances.get(g.world.proxy.address.toRawString()) ?? 0n;
    const spare = proxyTon - ton('0.01') - g.rng.big(0n, ton('0.3'));
    const newTokens = g.state.workers[i].tokens + (spare > fee ? spare / fee : 1n);
    const body = signed({ kind: 'payout', queryId: queryId(g), newTokens, expectedMyAddress: w.contract.address }, to);
    return messageAction('attack/drainProxy', g.world.submitter, w.contract.address, opValue(g), body, [to], { kind: 'workerPayout', worker: i });
}

// ---- workers ----

function workerPayout(g: GenContext): Action {
    const open = g.state.workers.map((w, i) => (w.state !== WorkerState.closed ? i : -1)).filter((i) => i >= 0);
    const i = open.length > 0 && g.rng.chance(0.9) ? g.rng.pick(open) : g.rng.int(0, g.world.workers.length - 1);
    const w = g.world.workers[i];
    const st = g.state.workers[i];
    const to = excessAddress(g);
    const qid = queryId(g);
    const { pricePerToken: price, workerFeePerToken: fee } = g.world.params;
    const closed = st.state === WorkerState.closed;
    const effect: Effect = { kind: 'workerPayout', worker: i };
    const addr = w.contract.address;
    // An honest proxy pays workers at most what it charged clients: that is what keeps its balance covering its debts.
    const backed = (g.ledger.charged - g.ledger.paidToWorkers) / price;
    const variant = g.rng.weighted([6, 1, 1, 1, 1, 1, 0.5]);
    if (variant === 6) {
        // A proxy that signs more than it charged (the contracts cannot tell, ref §5.4): paid from client deposits,
        // up to 0.5 TON beyond what is backed.
        const newTokens = st.tokens + (backed > 0n ? backed : 0n) + g.rng.big(1n, ton('0.5') / price);
        const body = signed({ kind: 'payout', queryId: qid, newTokens, expectedMyAddress: addr }, to);
        return messageAction('worker/payout/unbacked', g.world.submitter, addr, opValue(g), body, [to], effect, closed ? ExitCode.Closed : 0);
    }
    if (variant === 0 && backed >= 1n) {
        const last = g.rng.chance(0.1);
        const newTokens = st.tokens + g.rng.big(last ? 0n : 1n, backed);
        const kind = last ? 'lastPayout' : 'payout';
        const body = signed({ kind, queryId: qid, newTokens, expectedMyAddress: addr }, to);
        return messageAction(`worker/${kind}/valid`, g.world.submitter, addr, opValue(g), body, [to], effect, closed ? ExitCode.Closed : 0);
    }
    if (variant === 1) {
        // More than the proxy contract holds: the proxy fails with 5, the request bounces, the worker restores.
        const proxyTon = g.state.balances.get(g.world.proxy.address.toRawString()) ?? 0n;
        const newTokens = st.tokens + proxyTon / fee + g.rng.big(1n, 1000n);
        const body = signed({ kind: 'payout', queryId: qid, newTokens, expectedMyAddress: addr }, to);
        return messageAction('worker/payout/beyondProxyFunds', g.world.submitter, addr, opValue(g), body, [to], effect, closed ? ExitCode.Closed : 0);
    }
    if (variant === 2) {
        const newTokens = g.rng.big(0n, st.tokens);
        const body = signed({ kind: 'payout', queryId: qid, newTokens, expectedMyAddress: addr }, to);
        return messageAction('worker/payout/stale', g.world.submitter, addr, opValue(g), body, [to], effect, closed ? ExitCode.Closed : ExitCode.OldMessage);
    }
    const newTokens = st.tokens + 1n;
    if (variant === 3) {
        const body = signed({ kind: 'payout', queryId: qid, newTokens, expectedMyAddress: addr }, to, wrongKeys.secretKey);
        return messageAction('worker/payout/wrongKey', g.world.submitter, addr, opValue(g), body, [to], effect, closed ? ExitCode.Closed : ExitCode.BadSignature);
    }
    if (variant === 4) {
        const body = mismatched(g, 'payout', 'lastPayout', { queryId: qid, newTokens, expectedMyAddress: addr }, to);
        return messageAction('worker/payout/wrongOpOrQueryId', g.world.submitter, addr, opValue(g), body, [to], effect, closed ? ExitCode.Closed : ExitCode.SignedMsgFormatMismatch);
    }
    // A worker payout signed for the proxy contract's address, submitted to a worker.
    const body = signed({ kind: 'payout', queryId: qid, newTokens, expectedMyAddress: g.world.proxy.address }, to);
    return messageAction('worker/payout/otherAddress', g.world.submitter, addr, opValue(g), body, [to], effect, closed ? ExitCode.Closed : ExitCode.ExpectedMyAddress);
}

// ---- proxy ----

type ProxyOpKind = 'payoutRequest' | 'increaseStake' | 'withdrawText' | 'ownerClose' | 'closeText' | 'signedClose' | 'signedCloseComplete';

/** A proxy operation; `forced` makes it the given kind, sent by the owner with enough value. */
function proxyOp(g: GenContext, forced?: ProxyOpKind): Action {
    const proxy = g.world.proxy.address;
    const to = excessAddress(g);
    const qid = queryId(g);
    const st = g.state.proxy;
    const closed = st.state === ProxyState.closed;
    const variants: ProxyOpKind[] = ['payoutRequest', 'increaseStake', 'withdrawText'];
    if (g.lateGame) variants.push('ownerClose', 'closeText', 'signedClose', 'signedCloseComplete');
    const op = forced ?? g.rng.pick(variants);
    const anyone = g.rng.pick([g.world.submitter, g.world.proxyOwner, g.world.strangers[1]]);
    const byOwner = forced !== undefined || g.rng.chance(0.75);
    const ownerOrStranger = byOwner ? g.world.proxyOwner : g.world.strangers[0];
    const who = byOwner ? 'owner' : 'stranger';
    const lowValue = forced === undefined && g.rng.chance(0.1);
    // After unbacked worker payouts the proxy may hold less than its earnings: paying them out then fails (5).
    const proxyTon = g.state.balances.get(proxy.toRawString()) ?? 0n;
    const paysEarnings = (exit: number) => (exit === 0 && proxyTon < st.balance + ton('0.02') ? undefined : exit);
    const value = lowValue ? ton('0.05') : opValue(g);
    switch (op) {
        case 'payoutRequest':
            return messageAction('proxy/payoutRequest', anyone, proxy, value, proxyMessages.payoutRequest(qid, to), [to], { kind: 'proxyWithdraw' },
                paysEarnings(lowValue ? ExitCode.LowMsgValue : closed ? ExitCode.Closed : 0));
        case 'increaseStake': {
            const grams = g.rng.big(ton('0.1'), ton('3'));
            return messageAction('proxy/increaseStake', anyone, proxy, grams + value, proxyMessages.increaseStake(qid, grams, to), [to], { kind: 'none' },
                lowValue ? ExitCode.LowMsgValue : closed ? ExitCode.Closed : 0);
        }
        case 'withdrawText':
            // "w" pays earnings and the rest of the value to the owner: no excess.
            return messageAction(`proxy/withdrawText/${who}`, ownerOrStranger, proxy, value, proxyMessages.withdrawText(), [], { kind: 'proxyWithdraw' },
                paysEarnings(lowValue ? ExitCode.LowMsgValue : closed ? ExitCode.Closed : byOwner ? 0 : ExitCode.ExpectedMessageFromOwner));
        case 'ownerClose':
            return messageAction(`proxy/ownerClose/${who}`, ownerOrStranger, proxy, value, proxyMessages.ownerClose(qid, to), [to], { kind: 'none' },
                lowValue ? ExitCode.LowMsgValue : st.state !== ProxyState.normal ? ExitCode.Closed : byOwner ? 0 : ExitCode.ExpectedMessageFromOwner);
        case 'closeText':
            return messageAction(`proxy/closeText/${who}`, ownerOrStranger, proxy, value, proxyMessages.closeText(), [g.world.proxyOwner.address], { kind: 'none' },
                lowValue ? ExitCode.LowMsgValue : st.state !== ProxyState.normal ? ExitCode.Closed : byOwner ? 0 : ExitCode.ExpectedMessageFromOwner);
        case 'signedClose': {
            const body = signed({ kind: 'closeRequest', queryId: qid, expectedMyAddress: proxy }, to);
            return messageAction('proxy/signedClose', g.world.submitter, proxy, value, body, [to], { kind: 'none' },
                lowValue ? ExitCode.LowMsgValue : st.state !== ProxyState.normal ? ExitCode.Closed : 0);
        }
        case 'signedCloseComplete': {
            const body = signed({ kind: 'closeComplete', queryId: qid, expectedMyAddress: proxy }, to);
            const now = g.world.blockchain.now ?? 0;
            const exit = lowValue ? ExitCode.LowMsgValue : st.state !== ProxyState.closing ? ExitCode.Closed : now < st.unlockTs ? ExitCode.NotUnlockedYet : 0;
            return messageAction('proxy/signedCloseComplete', g.world.submitter, proxy, value, body, [to], { kind: 'proxyWithdraw' }, exit);
        }
    }
}

// ---- root, clock, deployments ----

function rootOp(g: GenContext): Action {
    const byOwner = g.rng.chance(0.5);
    const from = byOwner ? g.world.rootOwner : g.world.strangers[1];
    const body = addHashBody(g.rng.pick(['proxy', 'worker', 'model'] as const), BigInt(g.rng.next()) << 200n, queryId(g));
    return messageAction(`root/addHash/${byOwner ? 'owner' : 'stranger'}`, from, g.world.root.address, ton('0.1'), body, [], { kind: 'none' },
        byOwner ? 0 : ExitCode.ExpectedMessageFromOwner);
}

function advanceClock(g: GenContext, by?: number): Action {
    const seconds = by ?? g.rng.int(60, 4000);
    return {
        name: 'clock',
        label: `advance the clock by ${seconds} s`,
        value: 0n,
        excessTo: [],
        effect: { kind: 'none' },
        run: async () => {
            g.world.blockchain.now = (g.world.blockchain.now ?? 0) + seconds;
            return NO_TRANSACTIONS;
        },
    };
}

function deployMember(g: GenContext): Action | null {
    const openClients = g.state.clients.filter((c) => c.state !== ClientState.closed).length;
    const openWorkers = g.state.workers.filter((w) => w.state !== WorkerState.closed).length;
    const deploy = (name: string, run: () => Promise<SendMessageResult>, value: bigint): Action => ({
        name,
        label: name,
        value,
        excessTo: [],
        effect: { kind: 'none' },
        run,
    });
    if (openClients < 3 && g.world.clients.length < MAX_CLIENTS) return deploy('deploy/client', () => g.world.addClient(), ton('0.8'));
    if (openWorkers < 2 && g.world.workers.length < MAX_WORKERS) return deploy('deploy/worker', () => g.world.addWorker(), ton('0.3'));
    return null;
}

const GENERATORS: [number, (g: GenContext) => Action][] = [
    [1.5, (g) => strangerZeroTopUp(g)],
    [2, refundUnderZeroTopUps],
    [1, payoutRacingLastPayout],
    [1, (g) => forcedRefund(g) ?? refundUnderZeroTopUps(g)],
    [0.5, drainProxy],
    [5, topUp],
    [7, charge],
    [0.5, grantRefund],
    [4, clientOwnerOp],
    [6, workerPayout],
    [3, (g) => proxyOp(g)],
    [2, (g) => advanceClock(g)],
    [1, rootOp],
];

/** The kinds every run goes through once before drawing at random, so that each run covers them all. */
export const OPENING_SEQUENCE: ((g: GenContext) => Action)[] = [topUp, charge, workerPayout, clientOwnerOp, (g) => proxyOp(g), rootOp, (g) => advanceClock(g)];

function ownerRequestsRefund(g: GenContext, i: number): Action {
    const c = g.world.clients[i];
    const to = excessAddress(g);
    const body = clientMessages.requestRefund(queryId(g), to);
    return messageAction('client/requestRefund/owner', c.owner, c.contract.address, ton('0.35'), body, [to], { kind: 'requestRefund', client: i }, 0);
}

/** A third of the way in, a client owner asks for a refund, waits out the delay and forces it from the stake. */
function forcedRefundScript(g: GenContext, step: number, steps: number): Action | null {
    const start = Math.floor(steps / 3);
    const now = g.world.blockchain.now ?? 0;
    if (step === start + 1) return advanceClock(g, g.world.params.clientDelayBeforeClose + 1);
    const wanted = step === start ? ClientState.normal : step === start + 2 ? ClientState.closing : null;
    // The richest such client, so that the forced refund moves money.
    let best = -1;
    g.state.clients.forEach((c, i) => {
        const eligible = c.state === wanted && (wanted === ClientState.normal || c.unlockTs < now);
        if (eligible && (best < 0 || c.balance > g.state.clients[best].balance)) best = i;
    });
    return best >= 0 ? ownerRequestsRefund(g, best) : null;
}

/**
 * The step's action: deployments when fewer than three clients or two workers are open, the opening sequence,
 * then random operations. A third of the way in, one client goes through the forced-refund path. Three quarters
 * in, the proxy is closed (one of its three close paths); at 90 % the clock passes its unlock time, so that the
 * last tenth runs against a proxy that may complete its close.
 */
export function nextAction(g: GenContext, step: number, steps: number): Action {
    const scripted = forcedRefundScript(g, step, steps);
    if (scripted) return scripted;
    if (step === Math.floor(steps * 0.75)) return proxyOp(g, g.rng.pick(['ownerClose', 'closeText', 'signedClose'] as const));
    if (step === Math.floor(steps * 0.9)) return advanceClock(g, g.world.params.proxyDelayBeforeClose + 1);
    const deployment = deployMember(g);
    if (deployment) return deployment;
    if (step < OPENING_SEQUENCE.length) return OPENING_SEQUENCE[step](g);
    return GENERATORS[g.rng.weighted(GENERATORS.map(([w]) => w))][1](g);
}

/** The first 32 bits of a message body, or null if it has fewer. */
export function opOf(body: Cell): number | null {
    const s = body.beginParse();
    return s.remainingBits >= 32 ? s.loadUint(32) : null;
}
