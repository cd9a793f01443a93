import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';
import { beginCell, Cell, toNano } from '@ton/core';
import { CocoonParams, MULTIPLIER_ONE, PARAMS_STRUCT_VERSION } from '../../wrappers/params';
import { CocoonRoot, readRootState, rootFromInit } from '../../wrappers/root';

/** Stand-in contract codes: the root only stores them. */
export const FAKE_CODES = {
    proxy: beginCell().storeUint(0xa1, 8).endCell(),
    worker: beginCell().storeUint(0xa2, 8).endCell(),
    client: beginCell().storeUint(0xa3, 8).endCell(),
};

/** The reference suite's default params: price 0.001 TON, fee 0.0001 TON, multipliers 1.1/1.2/1.3/1.4, delays 1 h. */
export function defaultParams(codes: { proxy: Cell; worker: Cell; client: Cell } = FAKE_CODES): CocoonParams {
    return {
        structVersion: PARAMS_STRUCT_VERSION,
        paramsVersion: 1,
        uniqueId: 17,
        isTest: true,
        pricePerToken: toNano('0.001'),
        workerFeePerToken: toNano('0.0001'),
        promptTokensPriceMultiplier: MULTIPLIER_ONE + 1000,
        cachedTokensPriceMultiplier: MULTIPLIER_ONE + 2000,
        completionTokensPriceMultiplier: MULTIPLIER_ONE + 3000,
        reasoningTokensPriceMultiplier: MULTIPLIER_ONE + 4000,
        proxyDelayBeforeClose: 3600,
        clientDelayBeforeClose: 3600,
        minProxyStake: toNano('1'),
        minClientStake: toNano('1'),
        proxyScCode: codes.proxy,
        workerScCode: codes.worker,
        clientScCode: codes.client,
    };
}

export interface RootFixture {
    blockchain: Blockchain;
    owner: SandboxContract<TreasuryContract>;
    stranger: SandboxContract<TreasuryContract>;
    root: SandboxContract<CocoonRoot>;
}

/** A deployed root (1 TON) owned by `owner`. */
export async function deployRoot(params: CocoonParams = defaultParams()): Promise<RootFixture> {
    const blockchain = await Blockchain.create();
    const owner = await blockchain.treasury('owner');
    const stranger = await blockchain.treasury('stranger');
    const root = blockchain.openContract(await rootFromInit(owner.address, params));
    const r = await owner.send({ to: root.address, value: toNano('1'), init: root.init, bounce: false });
    const deployed = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === root.address.toString());
    if (!deployed || deployed.description.type !== 'generic' || deployed.description.aborted) {
        throw new Error('root deployment failed');
    }
    return { blockchain, owner, stranger, root };
}

/** Sends `body` from `from` (default the owner) to the root with `value` (default 0.1 TON). */
export function sendToRoot(f: RootFixture, body: Cell, value: bigint = toNano('0.1'), from = f.owner) {
    return from.send({ to: f.root.address, value, body });
}

export function rootState(f: RootFixture) {
    return readRootState(f.blockchain.provider(f.root.address));
}
