/** Typed state of the proxy, client and worker contracts, read through their getters with the wrappers' parsers. */
import { Address } from '@ton/core';
import { ClientContractState, CocoonClient, readClientState } from '../../../wrappers/client';
import { CocoonProxy, ProxyContractState, readProxyState } from '../../../wrappers/proxy';
import { parseReputationSnapshot, type ReputationSnapshot } from '../../../wrappers/reputation';
import { CocoonWorker, readWorkerState, WorkerContractState } from '../../../wrappers/worker';
import type { ChainClient } from '../client';

export function readProxyContract(client: ChainClient, address: Address): Promise<ProxyContractState> {
    return readProxyState(client.open(CocoonProxy.fromAddress(address)));
}

/** The proxy contract's newest published reputation snapshot, or null before the first. */
export async function readReputationSnapshot(client: ChainClient, address: Address): Promise<ReputationSnapshot | null> {
    const cell = await client.open(CocoonProxy.fromAddress(address)).getGetReputationSnapshot();
    return cell ? parseReputationSnapshot(cell) : null;
}

export function readClientContract(client: ChainClient, address: Address): Promise<ClientContractState> {
    return readClientState(client.open(CocoonClient.fromAddress(address)));
}

export function readWorkerContract(client: ChainClient, address: Address): Promise<WorkerContractState> {
    return readWorkerState(client.open(CocoonWorker.fromAddress(address)));
}
