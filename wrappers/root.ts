import { Address, beginCell, Builder, Cell, ContractProvider, Dictionary, DictionaryValue, Slice } from '@ton/core';
import { sha256_sync } from '@ton/crypto';
import {
    CocoonRoot,
    storeAddModelType,
    storeAddProxyType,
    storeAddWorkerType,
    storeChangeAllParams,
    storeChangeOwner,
    storeChangeParams,
    storeChangePrice,
    storeDelModelType,
    storeDelProxyType,
    storeDelWorkerType,
    storeRegisterProxy,
    storeResetRoot,
    storeUnregisterProxy,
    storeUpdateProxy,
    storeUpgradeCode,
    storeUpgradeContracts,
    storeUpgradeFull,
} from '../build/CocoonRoot/tact_CocoonRoot';
import { loadDescriptor, MAX_DESCRIPTOR_BYTES_UPDATE, storeDescriptor } from './descriptor';
import { CocoonParams, paramsCell, parseParams } from './params';

export { CocoonRoot };

/** The three hash sets of the registry. */
export type HashKind = 'proxy' | 'worker' | 'model';

/** The registry cell: COCOON's field order (proxy hashes, proxies, last seqno, worker hashes, model hashes). */
export interface RootRegistry {
    proxyHashes: bigint[];
    registeredProxies: Map<number, { type: number; text: string }>;
    lastProxySeqno: number;
    workerHashes: bigint[];
    modelHashes: bigint[];
}

/** Everything the root stores: owner ‖ version ‖ ^registry ‖ ^params (bit-identical with COCOON's FunC root). */
export interface RootState {
    owner: Address;
    version: number;
    registry: RootRegistry;
    params: CocoonParams;
}

export class RootStateError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'RootStateError';
    }
}

/** `HashmapE` values with no bits: the hash sets are sets. */
const EMPTY_VALUE: DictionaryValue<true> = {
    serialize: () => {},
    parse: (s: Slice) => {
        if (s.remainingBits !== 0 || s.remainingRefs !== 0) {
            throw new RootStateError(`hash set value has ${s.remainingBits} bits, expected none`);
        }
        return true;
    },
};

/** Descriptor bits stored inline as the dictionary value. */
const DESCRIPTOR_VALUE: DictionaryValue<{ type: number; text: string }> = {
    serialize: (v: { type: number; text: string }, b: Builder) => {
        b.storeUint(v.type, 1).storeUint(v.text.length, 7).storeBuffer(Buffer.from(v.text, 'latin1'));
    },
    parse: (s: Slice) => loadDescriptor(s),
};

function hashSet(hashes: bigint[]): Dictionary<bigint, true> {
    const d = Dictionary.empty(Dictionary.Keys.BigUint(256), EMPTY_VALUE);
    hashes.forEach((h) => d.set(h, true));
    return d;
}

export function registryCell(r: RootRegistry): Cell {
    const proxies = Dictionary.empty(Dictionary.Keys.Uint(32), DESCRIPTOR_VALUE);
    r.registeredProxies.forEach((v, k) => proxies.set(k, v));
    return beginCell()
        .storeDict(hashSet(r.proxyHashes))
        .storeDict(proxies)
        .storeUint(r.lastProxySeqno, 32)
        .storeDict(hashSet(r.workerHashes))
        .storeDict(hashSet(r.modelHashes))
        .endCell();
}

export function emptyRegistry(): RootRegistry {
    return { proxyHashes: [], registeredProxies: new Map(), lastProxySeqno: 0, workerHashes: [], modelHashes: [] };
}

/** Parses the registry cell (`get_registry` or ref 0 of the root's data); hashes come back sorted ascending. */
export function parseRootRegistry(cell: Cell): RootRegistry {
    const s = cell.beginParse();
    const proxyHashes = s.loadDict(Dictionary.Keys.BigUint(256), EMPTY_VALUE);
    const proxies = s.loadDict(Dictionary.Keys.Uint(32), DESCRIPTOR_VALUE);
    const lastProxySeqno = s.loadUint(32);
    const workerHashes = s.loadDict(Dictionary.Keys.BigUint(256), EMPTY_VALUE);
    const modelHashes = s.loadDict(Dictionary.Keys.BigUint(256), EMPTY_VALUE);
    if (s.remainingBits !== 0 || s.remainingRefs !== 0) {
        throw new RootStateError(`registry cell has ${s.remainingBits} trailing bits and ${s.remainingRefs} refs`);
    }
    const sorted = (d: Dictionary<bigint, true>) => d.keys().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return {
        proxyHashes: sorted(proxyHashes),
        registeredProxies: new Map(proxies.keys().sort((a, b) => a - b).map((k) => [k, proxies.get(k)!])),
        lastProxySeqno,
        workerHashes: sorted(workerHashes),
        modelHashes: sorted(modelHashes),
    };
}

/** Parses the root's persistent data (the account's data cell), strictly: nothing may follow the fields. */
export function parseRootState(data: Cell): RootState {
    const s = data.beginParse();
    const owner = s.loadAddress();
    const version = s.loadUint(32);
    const registry = parseRootRegistry(s.loadRef());
    const params = parseParams(s.loadRef());
    if (s.remainingBits !== 0 || s.remainingRefs !== 0) {
        throw new RootStateError(`root data has ${s.remainingBits} trailing bits and ${s.remainingRefs} refs`);
    }
    return { owner, version, registry, params };
}

/** A fresh root: version 0, empty registry, the given params (root variant, with the three codes). */
export function rootFromInit(owner: Address, params: CocoonParams): Promise<CocoonRoot> {
    return CocoonRoot.fromInit(owner, 0n, registryCell(emptyRegistry()), paramsCell(params, 'root'));
}

/** The model hash the root stores: sha256 of the model name (UTF-8). */
export function modelHash(name: string): bigint {
    return BigInt('0x' + sha256_sync(Buffer.from(name, 'utf-8')).toString('hex'));
}

function body(store: (b: Builder) => void): Cell {
    return beginCell().store(store).endCell();
}

const ADD = { proxy: storeAddProxyType, worker: storeAddWorkerType, model: storeAddModelType } as const;
const DEL = { proxy: storeDelProxyType, worker: storeDelWorkerType, model: storeDelModelType } as const;
const TYPE_NAME = {
    add: { proxy: 'AddProxyType', worker: 'AddWorkerType', model: 'AddModelType' },
    del: { proxy: 'DelProxyType', worker: 'DelWorkerType', model: 'DelModelType' },
} as const;

export function addHashBody(kind: HashKind, hash: bigint, queryId = 0n): Cell {
    const store = ADD[kind] as (src: { $$type: string; queryId: bigint; hash: bigint }) => (b: Builder) => void;
    return body(store({ $$type: TYPE_NAME.add[kind], queryId, hash }));
}

export function delHashBody(kind: HashKind, hash: bigint, queryId = 0n): Cell {
    const store = DEL[kind] as (src: { $$type: string; queryId: bigint; hash: bigint }) => (b: Builder) => void;
    return body(store({ $$type: TYPE_NAME.del[kind], queryId, hash }));
}

export function descriptorSlice(text: string, maxBytes?: number): Slice {
    return beginCell().store(storeDescriptor(text, maxBytes)).endCell().beginParse();
}

export function registerProxyBody(descriptor: string, queryId = 0n): Cell {
    return body(storeRegisterProxy({ $$type: 'RegisterProxy', queryId, descriptor: descriptorSlice(descriptor) }));
}

export function updateProxyBody(seqno: number, descriptor: string, queryId = 0n): Cell {
    return body(
        storeUpdateProxy({
            $$type: 'UpdateProxy',
            queryId,
            seqno: BigInt(seqno),
            descriptor: descriptorSlice(descriptor, MAX_DESCRIPTOR_BYTES_UPDATE),
        }),
    );
}

export function unregisterProxyBody(seqno: number, queryId = 0n): Cell {
    return body(storeUnregisterProxy({ $$type: 'UnregisterProxy', queryId, seqno: BigInt(seqno) }));
}

export function changePriceBody(pricePerToken: bigint, workerFeePerToken: bigint, queryId = 0n): Cell {
    return body(storeChangePrice({ $$type: 'ChangePrice', queryId, pricePerToken, workerFeePerToken }));
}

/** COCOON's `change_params`: prices, delays and stakes (the multipliers stay). */
export interface ChangeParamsFields {
    pricePerToken: bigint;
    workerFeePerToken: bigint;
    proxyDelayBeforeClose: number;
    clientDelayBeforeClose: number;
    minProxyStake: bigint;
    minClientStake: bigint;
}

export function changeParamsBody(f: ChangeParamsFields, queryId = 0n): Cell {
    return body(
        storeChangeParams({
            $$type: 'ChangeParams',
            queryId,
            pricePerToken: f.pricePerToken,
            workerFeePerToken: f.workerFeePerToken,
            proxyDelayBeforeClose: BigInt(f.proxyDelayBeforeClose),
            clientDelayBeforeClose: BigInt(f.clientDelayBeforeClose),
            minProxyStake: f.minProxyStake,
            minClientStake: f.minClientStake,
        }),
    );
}

/** Fix 4: every governable scalar (not unique_id, is_test, struct_version or the codes). */
export interface AllParamsFields extends ChangeParamsFields {
    promptTokensPriceMultiplier: number;
    cachedTokensPriceMultiplier: number;
    completionTokensPriceMultiplier: number;
    reasoningTokensPriceMultiplier: number;
}

export function changeAllParamsBody(f: AllParamsFields, queryId = 0n): Cell {
    return body(
        storeChangeAllParams({
            $$type: 'ChangeAllParams',
            queryId,
            pricePerToken: f.pricePerToken,
            workerFeePerToken: f.workerFeePerToken,
            promptTokensPriceMultiplier: BigInt(f.promptTokensPriceMultiplier),
            cachedTokensPriceMultiplier: BigInt(f.cachedTokensPriceMultiplier),
            completionTokensPriceMultiplier: BigInt(f.completionTokensPriceMultiplier),
            reasoningTokensPriceMultiplier: BigInt(f.reasoningTokensPriceMultiplier),
            proxyDelayBeforeClose: BigInt(f.proxyDelayBeforeClose),
            clientDelayBeforeClose: BigInt(f.clientDelayBeforeClose),
            minProxyStake: f.minProxyStake,
            minClientStake: f.minClientStake,
        }),
    );
}

export function upgradeContractsBody(codes: { proxy: Cell; worker: Cell; client: Cell }, queryId = 0n): Cell {
    return body(
        storeUpgradeContracts({
            $$type: 'UpgradeContracts',
            queryId,
            proxyScCode: codes.proxy,
            workerScCode: codes.worker,
            clientScCode: codes.client,
        }),
    );
}

export function upgradeCodeBody(code: Cell, queryId = 0n): Cell {
    return body(storeUpgradeCode({ $$type: 'UpgradeCode', queryId, code }));
}

export function resetRootBody(queryId = 0n): Cell {
    return body(storeResetRoot({ $$type: 'ResetRoot', queryId }));
}

export function upgradeFullBody(data: Cell, code: Cell, queryId = 0n): Cell {
    return body(storeUpgradeFull({ $$type: 'UpgradeFull', queryId, data, code }));
}

/** The data cell of a root in `state` (for `upgrade_full`). */
export function rootDataCell(state: RootState): Cell {
    return beginCell()
        .storeAddress(state.owner)
        .storeUint(state.version, 32)
        .storeRef(registryCell(state.registry))
        .storeRef(paramsCell(state.params, 'root'))
        .endCell();
}

export function changeOwnerBody(newOwner: Address, queryId = 0n): Cell {
    return body(storeChangeOwner({ $$type: 'ChangeOwner', queryId, newOwner }));
}

/** Reads and parses the root's account data (what COCOON's C++ node does with `raw.getAccountState`). */
export async function readRootState(provider: ContractProvider): Promise<RootState> {
    const s = await provider.getState();
    if (s.state.type !== 'active' || !s.state.data) {
        throw new RootStateError(`root account is ${s.state.type}, not active`);
    }
    return parseRootState(Cell.fromBoc(s.state.data)[0]);
}
