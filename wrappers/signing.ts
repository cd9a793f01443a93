import { Address, beginCell, Cell } from '@ton/core';
import { sign, signVerify } from './ed25519';
import { storeSignedClosePayload, storeSignedTokensPayload } from '../build/CocoonProxy/tact_CocoonProxy';

/**
 * COCOON's signed envelope (`op ‖ query_id ‖ send_excesses_to ‖ signature:bits512 ‖ ^payload`): the proxy signs the
 * payload cell's hash with its Ed25519 key; whoever submits the envelope chooses `send_excesses_to`.
 */
export const SignedOp = {
    charge: 0xbb63ff93,
    grantRefund: 0xefd711e1,
    payout: 0xa040ad28,
    lastPayout: 0xf5f26a36,
    closeRequest: 0x636a4391,
    closeComplete: 0xe511abc7,
} as const;

export type SignedKind = keyof typeof SignedOp;
/** Kinds whose payload carries a token counter. */
export type TokensKind = 'charge' | 'grantRefund' | 'payout' | 'lastPayout';
export type CloseKind = 'closeRequest' | 'closeComplete';

export interface SignedPayload {
    kind: SignedKind;
    queryId: bigint;
    /** Present for charge, grant-refund, payout and last payout. */
    newTokens?: bigint;
    /** The contract the payload is for (a client, a worker or the proxy contract). */
    expectedMyAddress: Address;
}

export interface SignedEnvelope {
    kind: SignedKind;
    queryId: bigint;
    sendExcessesTo: Address;
    signature: Buffer;
    payload: Cell;
}

export class SignedEnvelopeError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'SignedEnvelopeError';
    }
}

const isTokensKind = (kind: SignedKind): kind is TokensKind =>
    kind === 'charge' || kind === 'grantRefund' || kind === 'payout' || kind === 'lastPayout';

function kindOf(op: number): SignedKind {
    const kind = (Object.keys(SignedOp) as SignedKind[]).find((k) => SignedOp[k] === op);
    if (!kind) {
        throw new SignedEnvelopeError(`op 0x${op.toString(16).padStart(8, '0')} is not a signed COCOON op`);
    }
    return kind;
}

export function payloadCell(p: SignedPayload): Cell {
    const op = BigInt(SignedOp[p.kind]);
    if (isTokensKind(p.kind)) {
        if (p.newTokens === undefined) {
            throw new SignedEnvelopeError(`a ${p.kind} payload needs newTokens`);
        }
        const fields = { $$type: 'SignedTokensPayload' as const, op, queryId: p.queryId, newTokens: p.newTokens, expectedMyAddress: p.expectedMyAddress };
        return beginCell().store(storeSignedTokensPayload(fields)).endCell();
    }
    if (p.newTokens !== undefined) {
        throw new SignedEnvelopeError(`a ${p.kind} payload has no token counter`);
    }
    return beginCell()
        .store(storeSignedClosePayload({ $$type: 'SignedClosePayload', op, queryId: p.queryId, expectedMyAddress: p.expectedMyAddress }))
        .endCell();
}

export function parsePayload(cell: Cell): SignedPayload {
    try {
        const s = cell.beginParse();
        const kind = kindOf(s.loadUint(32));
        const queryId = s.loadUintBig(64);
        const newTokens = isTokensKind(kind) ? s.loadUintBig(64) : undefined;
        const expectedMyAddress = s.loadAddress();
        if (s.remainingBits !== 0 || s.remainingRefs !== 0) {
            throw new SignedEnvelopeError('signed payload has trailing data');
        }
        return newTokens === undefined ? { kind, queryId, expectedMyAddress } : { kind, queryId, newTokens, expectedMyAddress };
    } catch (e) {
        if (e instanceof SignedEnvelopeError) throw e;
        throw new SignedEnvelopeError(`signed payload is malformed: ${(e as Error).message}`);
    }
}

export function envelopeCell(e: SignedEnvelope): Cell {
    if (e.signature.length !== 64) {
        throw new SignedEnvelopeError(`signature is ${e.signature.length} bytes, expected 64`);
    }
    return beginCell()
        .storeUint(SignedOp[e.kind], 32)
        .storeUint(e.queryId, 64)
        .storeAddress(e.sendExcessesTo)
        .storeBuffer(e.signature)
        .storeRef(e.payload)
        .endCell();
}

export function parseEnvelope(cell: Cell): SignedEnvelope {
    try {
        const s = cell.beginParse();
        const kind = kindOf(s.loadUint(32));
        const queryId = s.loadUintBig(64);
        const sendExcessesTo = s.loadAddress();
        const signature = s.loadBuffer(64);
        const payload = s.loadRef();
        if (s.remainingBits !== 0 || s.remainingRefs !== 0) {
            throw new SignedEnvelopeError('signed envelope has trailing data');
        }
        return { kind, queryId, sendExcessesTo, signature, payload };
    } catch (e) {
        if (e instanceof SignedEnvelopeError) throw e;
        throw new SignedEnvelopeError(`signed envelope is malformed: ${(e as Error).message}`);
    }
}

/** Signs a payload with the proxy's secret key (64-byte Ed25519 secret as @ton/crypto uses) into an envelope. */
export function signEnvelope(payload: SignedPayload, secretKey: Buffer, sendExcessesTo: Address): Cell {
    const cell = payloadCell(payload);
    return envelopeCell({
        kind: payload.kind,
        queryId: payload.queryId,
        sendExcessesTo,
        signature: sign(cell.hash(), secretKey),
        payload: cell,
    });
}

/** The same signed envelope with another excess address (the signature does not cover it). */
export function repackEnvelope(envelope: Cell, sendExcessesTo: Address): Cell {
    return envelopeCell({ ...parseEnvelope(envelope), sendExcessesTo });
}

export interface EnvelopeExpectation {
    /** The proxy's Ed25519 public key (32 bytes). */
    publicKey: Buffer;
    /** Kinds the receiver accepts (a client accepts charges, a worker payouts). */
    kinds: SignedKind[];
    /** The contract the payload must name. */
    address: Address;
}

/**
 * Checks a received envelope the way the target contract will: known kind, one of the expected kinds, payload
 * op and query_id equal to the envelope's, payload for `address`, valid signature. Returns envelope and payload.
 */
export function validateEnvelope(cell: Cell, expect: EnvelopeExpectation): { envelope: SignedEnvelope; payload: SignedPayload } {
    const envelope = parseEnvelope(cell);
    if (!expect.kinds.includes(envelope.kind)) {
        throw new SignedEnvelopeError(`envelope is a ${envelope.kind}, expected ${expect.kinds.join(' or ')}`);
    }
    const payload = parsePayload(envelope.payload);
    if (payload.kind !== envelope.kind || payload.queryId !== envelope.queryId) {
        throw new SignedEnvelopeError('payload op or query_id differs from the envelope');
    }
    if (!payload.expectedMyAddress.equals(expect.address)) {
        throw new SignedEnvelopeError(
            `payload is for ${payload.expectedMyAddress.toRawString()}, not ${expect.address.toRawString()}`,
        );
    }
    if (!signVerify(envelope.payload.hash(), envelope.signature, expect.publicKey)) {
        throw new SignedEnvelopeError('signature does not verify with the proxy key');
    }
    return { envelope, payload };
}
