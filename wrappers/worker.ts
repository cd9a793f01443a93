import { Address, beginCell, Cell } from '@ton/core';
import {
    CocoonWorker,
    WorkerData,
    storeOwnerWorkerRegister,
    loadWorkerProxyRequest,
    loadWorkerProxyPayoutRequest,
    loadCocoonWorker$Data,
    loadWorkerConst,
} from '../build/CocoonWorker/tact_CocoonWorker';

export { CocoonWorker };

export const WorkerState = { normal: 0, closed: 2 } as const;

/** Worker message bodies; signed payouts are built with `wrappers/signing.ts`. */
export const workerMessages = {
    register: (queryId: bigint, sendExcessesTo: Address): Cell =>
        beginCell().store(storeOwnerWorkerRegister({ $$type: 'OwnerWorkerRegister', queryId, sendExcessesTo })).endCell(),
};

export interface WorkerPayoutPayload {
    workerPart: bigint;
    proxyPart: bigint;
    sendExcessesTo: Address;
}

export interface WorkerProxyRequest {
    queryId: bigint;
    workerOwner: Address;
    state: number;
    tokens: bigint;
    payload: WorkerPayoutPayload | null;
}

export class WorkerMessageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'WorkerMessageError';
    }
}

export const WORKER_PROXY_PAYOUT_REQUEST = 0x08e7d036;

/** Parses a worker → proxy request (what the proxy service reads from its contract's transactions). */
export function parseWorkerProxyRequest(body: Cell): WorkerProxyRequest {
    let m;
    try {
        m = loadWorkerProxyRequest(body.beginParse());
    } catch (e) {
        throw new WorkerMessageError(`malformed worker_proxy_request: ${(e as Error).message}`);
    }
    let payload: WorkerPayoutPayload | null = null;
    if (m.payload) {
        const op = m.payload.beginParse().preloadUint(32);
        if (op !== WORKER_PROXY_PAYOUT_REQUEST) {
            throw new WorkerMessageError(`unknown worker request payload op 0x${op.toString(16)}`);
        }
        const p = loadWorkerProxyPayoutRequest(m.payload.beginParse());
        payload = { workerPart: p.workerPart, proxyPart: p.proxyPart, sendExcessesTo: p.sendExcessesTo };
    }
    return { queryId: m.queryId, workerOwner: m.workerOwner, state: Number(m.state), tokens: m.tokens, payload };
}

export interface WorkerContractState {
    owner: Address;
    proxyAddress: Address;
    proxyPublicKey: bigint;
    state: number;
    tokens: bigint;
}

/** Everything `get_cocoon_worker_data` returns except the params. */
export async function readWorkerState(worker: { getGetCocoonWorkerData(): Promise<WorkerData> }): Promise<WorkerContractState> {
    const d = await worker.getGetCocoonWorkerData();
    return {
        owner: d.owner,
        proxyAddress: d.proxyAddress,
        proxyPublicKey: d.proxyPublicKey,
        state: Number(d.state),
        tokens: d.tokens,
    };
}

/** The same state from the contract's raw data cell. */
export function parseWorkerStorage(data: Cell): WorkerContractState {
    let d;
    try {
        d = loadCocoonWorker$Data(data.beginParse());
    } catch (e) {
        throw new WorkerMessageError(`worker data cell is malformed: ${(e as Error).message}`);
    }
    const c = loadWorkerConst(d.constData.beginParse());
    return {
        owner: c.owner,
        proxyAddress: c.proxyAddress,
        proxyPublicKey: c.proxyPublicKey,
        state: Number(d.state),
        tokens: d.tokens,
    };
}
