// The invariant checks catch what they claim to: each one is fed a real step with one thing falsified.
import { toNano, Transaction } from '@ton/core';
import { clientMessages } from '../../../wrappers/client';
import { proxyMessages } from '../../../wrappers/proxy';
import { signEnvelope } from '../../../wrappers/signing';
import { ExitCode } from '../../../wrappers/exitCodes';
import { proxyKeys } from '../payments.fixtures';
import { checkConservation, checkCountersMatchMoney, checkExpectedExit, checkMonotone, checkProxyCoverage, accountingEffect, checkRecipients, checkStep, emptyLedger, InvariantViolation, Step } from './checks';
import { Action, messageAction } from './ops';
import { execute, knownAccounts, outcomeOf } from './runner';
import { Snapshot, takeSnapshot } from './snapshot';
import { deployWorld, World } from './world';
import { InvalidEnvError, Prng, seedFromEnv, stepsFromEnv } from './prng';

describe('invariant checks', () => {
    let world: World;
    let known: Set<string>;
    let state: Snapshot;

    const run = async (action: Action): Promise<Step> => {
        const before = state;
        const { after, txs } = await execute(world, known, before, action);
        state = after;
        return { world, action, before, after, txs, ledger: emptyLedger() };
    };
    const expectViolation = (check: () => void, message: RegExp) => {
        expect(check).toThrow(InvariantViolation);
        expect(check).toThrow(message);
    };

    let topUp: Step;
    let charge: Step;
    let withdraw: Step;

    beforeAll(async () => {
        world = await deployWorld(1_800_000_000, 1, 1, { clients: 1, workers: 1 });
        known = knownAccounts(world);
        state = await takeSnapshot(world, known, null, new Set());
        const client = world.clients[0];
        const sink = world.sinks[0].address;
        topUp = await run(
            messageAction('client/topUp', client.owner, client.contract.address, toNano('2.3'), clientMessages.topUp(1n, toNano('2'), sink), [sink]),
        );
        const newTokens = 300n;
        const body = signEnvelope({ kind: 'charge', queryId: 2n, newTokens, expectedMyAddress: client.contract.address }, proxyKeys.secretKey, sink);
        charge = await run(
            messageAction('charge/valid', world.submitter, client.contract.address, toNano('0.2'), body, [sink], { kind: 'charge', client: 0, newTokens }, 0),
        );
        withdraw = await run(
            messageAction('proxy/withdrawText/owner', world.proxyOwner, world.proxy.address, toNano('0.2'), proxyMessages.withdrawText(), [], { kind: 'proxyWithdraw' }, 0),
        );
    });

    it('accept the real steps', () => {
        for (const s of [topUp, charge, withdraw]) checkStep(s);
        expect(charge.before.clients[0].balance - charge.after.clients[0].balance).toBe(300n * world.params.pricePerToken);
        expect(outcomeOf(world, topUp.action, topUp.txs)).toBe('0→0');
        expect(outcomeOf(world, charge.action, charge.txs)).toBe('0');
    });

    it('see TON that disappears without a fee', () => {
        const last = charge.txs[charge.txs.length - 1];
        expectViolation(() => checkConservation({ ...charge, txs: charge.txs.slice(0, -1) }), /TON not conserved: balances changed by -\d+, fees were \d+/);
        expect(last.totalFees.coins).toBeGreaterThan(0n);
    });

    it('see a token counter that goes back', () => {
        expectViolation(() => checkMonotone({ ...charge, before: charge.after, after: charge.before }), /client 0 tokens_used went from 300 to 0/);
    });

    it('see an excess to an address the submitter did not choose', () => {
        const action = { ...charge.action, excessTo: [world.strangers[0].address] };
        expectViolation(() => checkRecipients({ ...charge, action }), /excess .* goes to an address the submitter did not choose/);
    });

    it('see excesses above the attached value', () => {
        const action = { ...topUp.action, value: 1n };
        expectViolation(() => checkRecipients({ ...topUp, action }), /excesses total \d+, more than the 1 attached/);
    });

    it('see a payout to someone other than the owner', () => {
        const ownerOf = new Map(world.ownerOf);
        ownerOf.set(world.proxy.address.toRawString(), world.strangers[0].address);
        expectViolation(() => checkRecipients({ ...withdraw, world: { ...world, ownerOf } }), /payout message from .* is not for the owner/);
    });

    it('see a charge the accounting does not explain', () => {
        const action: Action = { ...charge.action, effect: { kind: 'none' } };
        const s = { ...charge, action };
        expectViolation(() => checkProxyCoverage(s, accountingEffect(s)), /proxy slack changed by 300000001, expected 1 \(C 0, W 0, F 0, storage 0, kept to reach its floor 0, kept 1\)/);
    });

    it('see a balance or a token counter that moves for money that did not move (issue 11, principle 2)', () => {
        const clients = charge.after.clients.map((c, i) => (i === 0 ? { ...c, balance: c.balance + 1n } : c));
        expectViolation(
            () => checkCountersMatchMoney({ ...charge, after: { ...charge.after, clients } }),
            /client 0 balance changed by -299999999, but the proxy kept 0 of its top-ups, paid 0 to its owner and 300000000 was charged/,
        );
        const workers = topUp.after.workers.map((w, i) => (i === 0 ? { ...w, tokens: w.tokens + 5n } : w));
        expectViolation(() => checkCountersMatchMoney({ ...topUp, after: { ...topUp.after, workers } }), /worker 0 counts 5 more tokens but its owner was paid 0/);
        expect(() => checkCountersMatchMoney(topUp)).not.toThrow();
    });

    it('see a wrong charge result', () => {
        const action: Action = { ...charge.action, effect: { kind: 'charge', client: 0, newTokens: 301n } };
        expectViolation(() => accountingEffect({ ...charge, action }), /client 0 tokens_used 300 after a charge to 301/);
    });

    it('see an unexpected exit code', () => {
        expectViolation(() => checkExpectedExit({ ...charge, action: { ...charge.action, expectExit: ExitCode.OldMessage } }), /target exited with 0, expected 1000/);
    });
});

describe('seeded generator', () => {
    it('replays the same sequence for the same seed', () => {
        const draw = (seed: number) => {
            const r = new Prng(seed);
            return [r.next(), r.int(1, 6), r.big(0n, 10n ** 30n), r.weighted([0, 1, 3])];
        };
        expect(draw(7)).toEqual(draw(7));
        expect(draw(7)).not.toEqual(draw(8));
        expect(new Prng(0).next()).toBe(1144304738);
    });

    it('reads INVARIANT_SEED and rejects a bad one', () => {
        expect(seedFromEnv({ INVARIANT_SEED: '42' })).toBe(42);
        expect(() => seedFromEnv({ INVARIANT_SEED: 'x1' })).toThrow(InvalidEnvError);
        expect(() => seedFromEnv({ INVARIANT_SEED: '4294967296' })).toThrow('INVARIANT_SEED must be an integer between 0 and 4294967295, got "4294967296"');
    });

    it('reads INVARIANT_STEPS and rejects a bad one', () => {
        expect(stepsFromEnv(300, {})).toBe(300);
        expect(stepsFromEnv(300, { INVARIANT_STEPS: '1000' })).toBe(1000);
        expect(() => stepsFromEnv(300, { INVARIANT_STEPS: '5' })).toThrow('INVARIANT_STEPS must be an integer between 20 and 100000, got "5"');
    });
});
