// Shared setup for the proxy, client and worker suites: keys, params, codes, and small assertion helpers.
import { Address, beginCell, Cell, Transaction } from '@ton/core';
import { keyPairFromSeed, KeyPair } from '@ton/crypto';
import { compiledCode } from '../../wrappers/compiled';
import { CocoonParams } from '../../wrappers/params';

export const TON = 1_000_000_000n;

/** Deterministic proxy keys (seeds …01 and …02) and a wrong key (99…99), as in the reference suite. */
export const proxyKeys: KeyPair = keyPairFromSeed(Buffer.alloc(32, 0).fill(1, 31));
export const otherProxyKeys: KeyPair = keyPairFromSeed(Buffer.alloc(32, 0).fill(2, 31));
export const wrongKeys: KeyPair = keyPairFromSeed(Buffer.alloc(32, 0x99));

export const keyInt = (k: KeyPair) => BigInt('0x' + k.publicKey.toString('hex'));

/** The reference suite's params: price 0.001 TON, fee 0.0001 TON, delays 3600 s, stakes 1 TON. */
export function testParams(overrides: Partial<CocoonParams> = {}): CocoonParams {
    return {
        structVersion: 3,
        paramsVersion: 1,
        uniqueId: 17,
        isTest: true,
        pricePerToken: 1_000_000n,
        workerFeePerToken: 100_000n,
        promptTokensPriceMultiplier: 11000,
        cachedTokensPriceMultiplier: 12000,
        completionTokensPriceMultiplier: 13000,
        reasoningTokensPriceMultiplier: 14000,
        proxyDelayBeforeClose: 3600,
        clientDelayBeforeClose: 3600,
        minProxyStake: TON,
        minClientStake: TON,
        proxyScCode: compiledCode('CocoonProxy'),
        workerScCode: compiledCode('CocoonWorker'),
        clientScCode: compiledCode('CocoonClient'),
        ...overrides,
    };
}

export const OP = {
    excesses: 0x2565934c,
    payout: 0xc59a7cd3,
    doNotProcess: 0x9a1247c0,
    workerProxyRequest: 0x4d725d2c,
    workerProxyPayoutRequest: 0x08e7d036,
    clientProxyRequest: 0x65448ff4,
    clientProxyTopUp: 0x5cfc6b87,
    clientProxyRegister: 0xa35cb580,
    clientProxyRefundGranted: 0xc68ebc7b,
    clientProxyRefundForce: 0xf4c354c9,
    proxyClientUnpaid: 0x24c5065f,
    proxyWorkerUnpaid: 0x97e39923,
} as const;

export const excessBody = (queryId: bigint) => beginCell().storeUint(OP.excesses, 32).storeUint(queryId, 64).endCell();
export const payoutBody = (queryId: bigint) => beginCell().storeUint(OP.payout, 32).storeUint(queryId, 64).endCell();

/** The proxy's answer to a client request it did not pay (in full): the request's op and the unpaid coins. */
export const clientUnpaidBody = (queryId: bigint, requestOp: number, coins: bigint) =>
    beginCell().storeUint(OP.proxyClientUnpaid, 32).storeUint(queryId, 64).storeUint(requestOp, 32).storeCoins(coins).endCell();
/** The proxy's answer to a worker payout it did not pay. */
export const workerUnpaidBody = (queryId: bigint, workerPart: bigint, proxyPart: bigint) =>
    beginCell().storeUint(OP.proxyWorkerUnpaid, 32).storeUint(queryId, 64).storeCoins(workerPart).storeCoins(proxyPart).endCell();

/** The outgoing internal message of `tx` to `to` (exactly one). */
export function outTo(tx: Transaction, to: Address) {
    const msgs = [...tx.outMessages.values()].filter((m) => m.info.type === 'internal' && m.info.dest.equals(to));
    if (msgs.length !== 1) {
        throw new Error(`expected one message to ${to.toString()}, found ${msgs.length}`);
    }
    const info = msgs[0].info;
    if (info.type !== 'internal') throw new Error('unreachable');
    return { value: info.value.coins, bounce: info.bounce, body: msgs[0].body };
}

export function exitCodeOf(tx: Transaction): number | undefined {
    const d = tx.description;
    if (d.type !== 'generic' || d.computePhase.type !== 'vm') return undefined;
    return d.computePhase.exitCode;
}

/** Addresses as raw strings and cells as hex BoCs, so that `toEqual` compares values. */
export function plain(v: unknown): unknown {
    if (v instanceof Address) return v.toRawString();
    if (v instanceof Cell) return v.toBoc().toString('hex');
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
}
