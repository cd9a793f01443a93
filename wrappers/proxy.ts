import { Address, beginCell, Cell } from '@ton/core';
import { CocoonParams, parseParams } from './params';
import {
    CocoonProxy,
    ProxyData,
    storeExtProxyIncreaseStake,
    storeExtProxyPayoutRequest,
    storeOwnerProxyClose,
    loadCocoonProxy$Data,
} from '../build/CocoonProxy/tact_CocoonProxy';

export { CocoonProxy };

export const ProxyState = { normal: 0, closing: 1, closed: 2 } as const;

/** A one-character text command ("c" close, "w" withdraw earnings): op 0 then the character. */
const textCommand = (c: 'c' | 'w'): Cell => beginCell().storeUint(0, 32).storeStringTail(c).endCell();

export const OP_DO_NOT_PROCESS = 0x9a1247c0;
export const OP_PROXY_SAVE_STATE = 0x53109c0f;

/** A save-state record the proxy service leaves on its contract (rollback protection, docs/architecture.md). */
export interface SaveState {
    queryId: bigint;
    seqno: number;
    /** The session's random 256-bit hash. */
    sessionHash: bigint;
}

/** The record's body, `do_not_process ‖ query_id ‖ proxy_save_state ‖ seqno:int32 ‖ hash:bits256` (COCOON's). */
export function saveStateBody(s: SaveState): Cell {
    return beginCell()
        .storeUint(OP_DO_NOT_PROCESS, 32)
        .storeUint(s.queryId, 64)
        .storeUint(OP_PROXY_SAVE_STATE, 32)
        .storeInt(s.seqno, 32)
        .storeUint(s.sessionHash, 256)
        .endCell();
}

/** A save-state record, or null for any other body (anyone can send anything to the contract). */
export function parseSaveState(body: Cell): SaveState | null {
    const s = body.beginParse();
    if (s.remainingBits !== 32 + 64 + 32 + 32 + 256 || s.remainingRefs !== 0) return null;
    if (s.loadUint(32) !== OP_DO_NOT_PROCESS) return null;
    const queryId = s.loadUintBig(64);
    if (s.loadUint(32) !== OP_PROXY_SAVE_STATE) return null;
    return { queryId, seqno: s.loadInt(32), sessionHash: s.loadUintBig(256) };
}

/** Proxy message bodies; signed close requests are built with `wrappers/signing.ts`. */
export const proxyMessages = {
    payoutRequest: (queryId: bigint, sendExcessesTo: Address): Cell =>
        beginCell().store(storeExtProxyPayoutRequest({ $$type: 'ExtProxyPayoutRequest', queryId, sendExcessesTo })).endCell(),
    increaseStake: (queryId: bigint, grams: bigint, sendExcessesTo: Address): Cell =>
        beginCell().store(storeExtProxyIncreaseStake({ $$type: 'ExtProxyIncreaseStake', queryId, grams, sendExcessesTo })).endCell(),
    ownerClose: (queryId: bigint, sendExcessesTo: Address): Cell =>
        beginCell().store(storeOwnerProxyClose({ $$type: 'OwnerProxyClose', queryId, sendExcessesTo })).endCell(),
    closeText: (): Cell => textCommand('c'),
    withdrawText: (): Cell => textCommand('w'),
};

export interface ProxyContractState {
    owner: Address;
    proxyPublicKey: bigint;
    root: Address;
    state: number;
    /** Earnings the owner may withdraw. */
    balance: bigint;
    stake: bigint;
    unlockTs: number;
    pricePerToken: bigint;
    workerFeePerToken: bigint;
    minProxyStake: bigint;
    minClientStake: bigint;
    paramsVersion: number;
    /** Fix 6: the stake covers `min_proxy_stake`. */
    stakeCovered: boolean;
}

/** Everything `get_cocoon_proxy_data` returns except the full params. */
export async function readProxyState(proxy: { getGetCocoonProxyData(): Promise<ProxyData> }): Promise<ProxyContractState> {
    const d = await proxy.getGetCocoonProxyData();
    return {
        owner: d.owner,
        proxyPublicKey: d.proxyPublicKey,
        root: d.root,
        state: Number(d.state),
        balance: d.balance,
        stake: d.stake,
        unlockTs: Number(d.unlockTs),
        pricePerToken: d.pricePerToken,
        workerFeePerToken: d.workerFeePerToken,
        minProxyStake: d.minProxyStake,
        minClientStake: d.minClientStake,
        paramsVersion: Number(d.paramsVersion),
        stakeCovered: d.stakeCovered,
    };
}

/** The proxy generation's params (proxy variant: worker and client codes) as `get_cocoon_proxy_data` returns them. */
export async function readProxyParams(proxy: { getGetCocoonProxyData(): Promise<ProxyData> }): Promise<CocoonParams> {
    const p = (await proxy.getGetCocoonProxyData()).params;
    return {
        structVersion: Number(p.structVersion),
        paramsVersion: Number(p.paramsVersion),
        uniqueId: Number(p.uniqueId),
        isTest: p.isTest,
        pricePerToken: p.pricePerToken,
        workerFeePerToken: p.workerFeePerToken,
        promptTokensPriceMultiplier: Number(p.promptTokensPriceMultiplier),
        cachedTokensPriceMultiplier: Number(p.cachedTokensPriceMultiplier),
        completionTokensPriceMultiplier: Number(p.completionTokensPriceMultiplier),
        reasoningTokensPriceMultiplier: Number(p.reasoningTokensPriceMultiplier),
        proxyDelayBeforeClose: Number(p.proxyDelayBeforeClose),
        clientDelayBeforeClose: Number(p.clientDelayBeforeClose),
        minProxyStake: p.minProxyStake,
        minClientStake: p.minClientStake,
        proxyScCode: p.proxyScCode,
        workerScCode: p.workerScCode,
        clientScCode: p.clientScCode,
    };
}

export class ProxyStorageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ProxyStorageError';
    }
}

/** The same state from the contract's raw data cell, with its params (proxy variant). */
export function parseProxyStorage(data: Cell): ProxyContractState & { params: CocoonParams } {
    try {
        const d = loadCocoonProxy$Data(data.beginParse());
        const params = parseParams(d.params);
        return {
            owner: d.owner,
            proxyPublicKey: d.proxyPublicKey,
            root: d.root.beginParse().loadAddress(),
            state: Number(d.state),
            balance: d.balance,
            stake: d.stake,
            unlockTs: Number(d.unlockTs),
            pricePerToken: params.pricePerToken,
            workerFeePerToken: params.workerFeePerToken,
            minProxyStake: params.minProxyStake,
            minClientStake: params.minClientStake,
            paramsVersion: params.paramsVersion,
            stakeCovered: d.stake >= params.minProxyStake,
            params,
        };
    } catch (e) {
        throw new ProxyStorageError(`proxy data cell is malformed: ${(e as Error).message}`);
    }
}
