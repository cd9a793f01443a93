import { Address, beginCell, Cell, ContractProvider, internal, storeMessageRelaxed, StateInit, toNano } from '@ton/core';
import { sign } from './ed25519';
import { createHash } from 'node:crypto';
import { CocoonWallet, storeOwnerWalletSendMessage } from '../build/CocoonWallet/tact_CocoonWallet';

export { CocoonWallet };

/** At most this many messages per external message (one ref each). */
export const WALLET_MAX_MESSAGES = 4;
/** The key may not spend below this balance (exit 1035). */
export const WALLET_MIN_BALANCE = toNano('2');
export const WALLET_STATUS_BLOCKED = 1;

export class WalletMessageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'WalletMessageError';
    }
}

/** One outgoing message of an external request: a full internal message cell and its send mode. */
export interface WalletOutMessage {
    mode: number;
    message: Cell;
}

/** A fresh wallet: seqno 0, status 0, the service's public key and its human owner. */
export function walletFromInit(publicKey: Buffer, owner: Address, subwalletId = 0): Promise<CocoonWallet> {
    if (publicKey.length !== 32) {
        throw new WalletMessageError(`public key is ${publicKey.length} bytes, expected 32`);
    }
    return CocoonWallet.fromInit(0n, BigInt(subwalletId), BigInt('0x' + publicKey.toString('hex')), 0n, owner);
}

/** A full internal message cell (what the wallet sends verbatim). */
export function internalMessageCell(args: {
    to: Address;
    value: bigint;
    bounce: boolean;
    body?: Cell;
    init?: StateInit;
}): Cell {
    return beginCell()
        .store(storeMessageRelaxed(internal({ to: args.to, value: args.value, bounce: args.bounce, body: args.body, init: args.init })))
        .endCell();
}

function checkUint(name: string, v: number, bits: number): void {
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) {
        throw new WalletMessageError(`${name} ${v} is not a uint${bits}`);
    }
}

/** The signed part: `subwallet_id ‖ valid_until ‖ seqno ‖ (mode ‖ ^message)*`. */
export function walletSigningCell(args: { subwalletId?: number; validUntil: number; seqno: number; messages: WalletOutMessage[] }): Cell {
    const subwalletId = args.subwalletId ?? 0;
    checkUint('subwallet_id', subwalletId, 32);
    checkUint('valid_until', args.validUntil, 32);
    checkUint('seqno', args.seqno, 32);
    if (args.messages.length > WALLET_MAX_MESSAGES) {
        throw new WalletMessageError(`${args.messages.length} messages; at most ${WALLET_MAX_MESSAGES} fit one external message`);
    }
    const b = beginCell().storeUint(subwalletId, 32).storeUint(args.validUntil, 32).storeUint(args.seqno, 32);
    for (const m of args.messages) {
        checkUint('mode', m.mode, 8);
        b.storeUint(m.mode, 8).storeRef(m.message);
    }
    return b.endCell();
}

/**
 * What the key signs: sha256(wallet account id ‖ hash of the signing cell), so that a message signed for one wallet
 * is refused (1034) by every other wallet, also one with the same key.
 */
export function walletSigningDigest(wallet: Address, signing: Cell): Buffer {
    return createHash('sha256').update(wallet.hash).update(signing.hash()).digest();
}

/**
 * The external message body for `wallet`: Ed25519 signature over `walletSigningDigest`, then the signing cell's
 * content. Send it with the binding's `sendExternal(body.beginParse())` on a wallet opened with its init: while the
 * wallet is not deployed the init travels with the message and deploys it, as COCOON's driver does while seqno is 0.
 */
export function signedWalletBody(args: {
    wallet: Address;
    secretKey: Buffer;
    subwalletId?: number;
    validUntil: number;
    seqno: number;
    messages: WalletOutMessage[];
}): Cell {
    const signing = walletSigningCell(args);
    return beginCell().storeBuffer(sign(walletSigningDigest(args.wallet, signing), args.secretKey)).storeSlice(signing.beginParse()).endCell();
}

/** Owner op 0x9c69f376: the wallet sends `message` with `mode`. */
export function ownerSendMessageBody(message: Cell, mode: number, queryId = 0n): Cell {
    checkUint('mode', mode, 8);
    return beginCell()
        .store(storeOwnerWalletSendMessage({ $$type: 'OwnerWalletSendMessage', queryId, mode: BigInt(mode), message }))
        .endCell();
}

/** Owner text commands: "w" withdraw all but at most 0.01 TON, "b" block the key, "u" unblock it. */
export type WalletCommand = 'w' | 'b' | 'u';

export function walletCommandBody(command: WalletCommand): Cell {
    return beginCell().storeUint(0, 32).storeStringTail(command).endCell();
}

/** Everything the wallet stores (COCOON layout: seqno ‖ subwallet_id ‖ public_key ‖ status ‖ owner). */
export interface WalletState {
    seqno: number;
    subwalletId: number;
    publicKey: Buffer;
    status: number;
    blocked: boolean;
    owner: Address;
}

/** COCOON's wallet data: 32 + 32 + 256 + 32 bits and a 267-bit std address. */
export const WALLET_DATA_BITS = 619;

export function parseWalletState(data: Cell): WalletState {
    if (data.bits.length !== WALLET_DATA_BITS || data.refs.length !== 0) {
        throw new WalletMessageError(
            `account data is ${data.bits.length} bits and ${data.refs.length} refs, not a cocoon wallet (${WALLET_DATA_BITS} bits)`,
        );
    }
    const s = data.beginParse();
    const seqno = s.loadUint(32);
    const subwalletId = s.loadUint(32);
    const publicKey = s.loadBuffer(32);
    const status = s.loadUint(32);
    const owner = s.loadAddress();
    return { seqno, subwalletId, publicKey, status, blocked: (status & WALLET_STATUS_BLOCKED) !== 0, owner };
}

/** Reads the wallet's account data; a wallet that is not deployed yet reads as seqno 0 (`null`). */
export async function readWalletState(provider: ContractProvider): Promise<WalletState | null> {
    const s = await provider.getState();
    if (s.state.type !== 'active' || !s.state.data) {
        return null;
    }
    return parseWalletState(Cell.fromBoc(s.state.data)[0]);
}

