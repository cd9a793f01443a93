import { Address, beginCell, Cell } from '@ton/core';
import {
    CocoonClient,
    ClientData,
    storeExtClientTopUp,
    storeOwnerClientChangeSecretHash,
    storeOwnerClientChangeSecretHashAndTopUp,
    storeOwnerClientIncreaseStake,
    storeOwnerClientRegister,
    storeOwnerClientRequestRefund,
    storeOwnerClientWithdraw,
    loadClientProxyRequest,
    loadClientStateSnapshot,
    loadClientProxyCoinsPayload,
    loadClientProxyRegisterPayload,
    loadClientConst,
    loadCocoonClient$Data,
} from '../build/CocoonClient/tact_CocoonClient';

export { CocoonClient };

/** Client message bodies (COCOON's layouts; see contracts/messages.tlb). */
export const clientMessages = {
    topUp: (queryId: bigint, topUpAmount: bigint, sendExcessesTo: Address): Cell =>
        beginCell().store(storeExtClientTopUp({ $$type: 'ExtClientTopUp', queryId, topUpAmount, sendExcessesTo })).endCell(),
    changeSecretHashAndTopUp: (queryId: bigint, topUpAmount: bigint, newSecretHash: bigint, sendExcessesTo: Address): Cell =>
        beginCell()
            .store(
                storeOwnerClientChangeSecretHashAndTopUp({
                    $$type: 'OwnerClientChangeSecretHashAndTopUp',
                    queryId,
                    topUpAmount,
                    newSecretHash,
                    sendExcessesTo,
                }),
            )
            .endCell(),
    register: (queryId: bigint, nonce: bigint, sendExcessesTo: Address): Cell =>
        beginCell().store(storeOwnerClientRegister({ $$type: 'OwnerClientRegister', queryId, nonce, sendExcessesTo })).endCell(),
    changeSecretHash: (queryId: bigint, newSecretHash: bigint, sendExcessesTo: Address): Cell =>
        beginCell()
            .store(storeOwnerClientChangeSecretHash({ $$type: 'OwnerClientChangeSecretHash', queryId, newSecretHash, sendExcessesTo }))
            .endCell(),
    increaseStake: (queryId: bigint, newStake: bigint, sendExcessesTo: Address): Cell =>
        beginCell()
            .store(storeOwnerClientIncreaseStake({ $$type: 'OwnerClientIncreaseStake', queryId, newStake, sendExcessesTo }))
            .endCell(),
    withdraw: (queryId: bigint, sendExcessesTo: Address): Cell =>
        beginCell().store(storeOwnerClientWithdraw({ $$type: 'OwnerClientWithdraw', queryId, sendExcessesTo })).endCell(),
    requestRefund: (queryId: bigint, sendExcessesTo: Address): Cell =>
        beginCell().store(storeOwnerClientRequestRefund({ $$type: 'OwnerClientRequestRefund', queryId, sendExcessesTo })).endCell(),
};

export const ClientState = { normal: 0, closing: 1, closed: 2 } as const;

export interface ClientSnapshot {
    state: number;
    balance: bigint;
    stake: bigint;
    tokensUsed: bigint;
    secretHash: bigint;
}

export type ClientRequestPayload =
    | { kind: 'topUp' | 'refundGranted' | 'refundForce'; coins: bigint; sendExcessesTo: Address }
    | { kind: 'register'; nonce: bigint };

export interface ClientProxyRequest {
    queryId: bigint;
    clientOwner: Address;
    snapshot: ClientSnapshot;
    payload: ClientRequestPayload | null;
}

export class ClientMessageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ClientMessageError';
    }
}

const COINS_PAYLOADS: Record<number, 'topUp' | 'refundGranted' | 'refundForce'> = {
    0x5cfc6b87: 'topUp',
    0xc68ebc7b: 'refundGranted',
    0xf4c354c9: 'refundForce',
};

/** Parses a client → proxy request (what the proxy service reads from its contract's transactions). */
export function parseClientProxyRequest(body: Cell): ClientProxyRequest {
    try {
        const m = loadClientProxyRequest(body.beginParse());
        const s = loadClientStateSnapshot(m.stateData.beginParse());
        const snapshot = { state: Number(s.state), balance: s.balance, stake: s.stake, tokensUsed: s.tokensUsed, secretHash: s.secretHash };
        let payload: ClientRequestPayload | null = null;
        if (m.payload) {
            const op = m.payload.beginParse().preloadUint(32);
            if (op === 0xa35cb580) {
                payload = { kind: 'register', nonce: loadClientProxyRegisterPayload(m.payload.beginParse()).nonce };
            } else if (COINS_PAYLOADS[op]) {
                const p = loadClientProxyCoinsPayload(m.payload.beginParse());
                payload = { kind: COINS_PAYLOADS[op], coins: p.coins, sendExcessesTo: p.sendExcessesTo };
            } else {
                throw new ClientMessageError(`unknown client request payload op 0x${op.toString(16)}`);
            }
        }
        return { queryId: m.queryId, clientOwner: m.clientOwner, snapshot, payload };
    } catch (e) {
        if (e instanceof ClientMessageError) throw e;
        throw new ClientMessageError(`malformed client_proxy_request: ${(e as Error).message}`);
    }
}

export interface ClientContractState extends ClientSnapshot {
    owner: Address;
    proxyAddress: Address;
    proxyPublicKey: bigint;
    unlockTs: number;
}

/** Everything `get_cocoon_client_data` returns (params omitted; see `readClientParams`). */
export async function readClientState(client: { getGetCocoonClientData(): Promise<ClientData> }): Promise<ClientContractState> {
    const d = await client.getGetCocoonClientData();
    return {
        owner: d.owner,
        proxyAddress: d.proxyAddress,
        proxyPublicKey: d.proxyPublicKey,
        state: Number(d.state),
        balance: d.balance,
        stake: d.stake,
        tokensUsed: d.tokensUsed,
        unlockTs: Number(d.unlockTs),
        secretHash: d.secretHash,
    };
}

/** The same state from the contract's raw data cell (e.g. an account state fetched without running a getter). */
export function parseClientStorage(data: Cell): ClientContractState {
    let d;
    try {
        d = loadCocoonClient$Data(data.beginParse());
    } catch (e) {
        throw new ClientMessageError(`client data cell is malformed: ${(e as Error).message}`);
    }
    const c = loadClientConst(d.constData.beginParse());
    return {
        owner: c.owner,
        proxyAddress: c.proxyAddress,
        proxyPublicKey: c.proxyPublicKey,
        state: Number(d.state),
        balance: d.balance,
        stake: d.stake,
        tokensUsed: d.tokensUsed,
        unlockTs: Number(d.unlockTs),
        secretHash: d.secretHash,
    };
}
