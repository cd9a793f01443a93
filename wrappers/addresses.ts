import { Address, beginCell, Cell, contractAddress, StateInit } from '@ton/core';
import { CocoonParams, paramsCell } from './params';

/**
 * Initial data and addresses of the proxy, client and worker contracts, from public inputs only. The layouts are
 * the contracts' parameter lists (docs/contracts.md); the proxy contract derives client and worker addresses the
 * same way on-chain (tests/contracts/addresses.spec.ts proves both agree).
 */
export class AddressDerivationError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'AddressDerivationError';
    }
}

/** An Ed25519 public key as the contracts store it (uint256), from 32 bytes or an integer. */
export function publicKeyInt(key: Buffer | bigint): bigint {
    if (typeof key === 'bigint') {
        if (key < 0n || key >= 1n << 256n) throw new AddressDerivationError('public key does not fit in 256 bits');
        return key;
    }
    if (key.length !== 32) throw new AddressDerivationError(`public key is ${key.length} bytes, expected 32`);
    return BigInt('0x' + key.toString('hex'));
}

/** The 32 bytes of a public key stored as uint256 (what `validateEnvelope` takes). */
export function publicKeyBuffer(key: bigint): Buffer {
    return Buffer.from(publicKeyInt(key).toString(16).padStart(64, '0'), 'hex');
}

function codeOf(code: Cell | null, which: string): Cell {
    if (!code) throw new AddressDerivationError(`params carry no ${which} code`);
    return code;
}

export interface ProxyInputs {
    /** The operator's payout address. */
    owner: Address;
    proxyPublicKey: Buffer | bigint;
    root: Address;
    /** Root params (with the proxy code). */
    params: CocoonParams;
}

/** The proxy's root cell: the root address alone. */
export function proxyRootCell(root: Address): Cell {
    return beginCell().storeAddress(root).endCell();
}

/** owner ‖ key ‖ ^root ‖ state:2 ‖ balance:Coins ‖ stake:Coins ‖ unlock_ts:32 ‖ ^params(proxy variant). */
export function proxyInitData(i: ProxyInputs): Cell {
    return beginCell()
        .storeAddress(i.owner)
        .storeUint(publicKeyInt(i.proxyPublicKey), 256)
        .storeRef(proxyRootCell(i.root))
        .storeUint(0, 2)
        .storeCoins(0)
        .storeCoins(0)
        .storeUint(0, 32)
        .storeRef(paramsCell(i.params, 'proxy'))
        .endCell();
}

export function proxyStateInit(i: ProxyInputs): StateInit {
    return { code: codeOf(i.params.proxyScCode, 'proxy'), data: proxyInitData(i) };
}

export function proxyAddress(i: ProxyInputs): Address {
    return contractAddress(0, proxyStateInit(i));
}

export interface MemberInputs {
    /** The client's or worker's owner. */
    owner: Address;
    /** The proxy contract. */
    proxyAddress: Address;
    proxyPublicKey: Buffer | bigint;
    /** The proxy generation's params (worker and client codes needed). */
    params: CocoonParams;
}

/** The worker's constant cell: owner ‖ proxy ‖ key. */
export function workerConstCell(i: Omit<MemberInputs, 'params'>): Cell {
    return beginCell()
        .storeAddress(i.owner)
        .storeAddress(i.proxyAddress)
        .storeUint(publicKeyInt(i.proxyPublicKey), 256)
        .endCell();
}

/** ^const ‖ state:2 ‖ tokens:64 ‖ ^params. */
export function workerInitData(i: MemberInputs): Cell {
    return beginCell()
        .storeRef(workerConstCell(i))
        .storeUint(0, 2 + 64)
        .storeRef(paramsCell(i.params, 'withoutCode'))
        .endCell();
}

export function workerStateInit(i: MemberInputs): StateInit {
    return { code: codeOf(i.params.workerScCode, 'worker'), data: workerInitData(i) };
}

export function workerAddress(i: MemberInputs): Address {
    return contractAddress(0, workerStateInit(i));
}

/** The client's constant cell: owner ‖ proxy ‖ key (COCOON's const data). */
export function clientConstCell(i: Omit<MemberInputs, 'params'>): Cell {
    return beginCell()
        .storeAddress(i.owner)
        .storeAddress(i.proxyAddress)
        .storeUint(publicKeyInt(i.proxyPublicKey), 256)
        .endCell();
}

/** ^const ‖ state:2 ‖ balance:Coins ‖ stake:Coins (= min_client_stake) ‖ tokens_used:64 ‖ unlock_ts:32 ‖ secret_hash:256 ‖ ^params. */
export function clientInitData(i: MemberInputs): Cell {
    return beginCell()
        .storeRef(clientConstCell(i))
        .storeUint(0, 2)
        .storeCoins(0)
        .storeCoins(i.params.minClientStake)
        .storeUint(0, 64 + 32 + 256)
        .storeRef(paramsCell(i.params, 'withoutCode'))
        .endCell();
}

export function clientStateInit(i: MemberInputs): StateInit {
    return { code: codeOf(i.params.clientScCode, 'client'), data: clientInitData(i) };
}

export function clientAddress(i: MemberInputs): Address {
    return contractAddress(0, clientStateInit(i));
}
