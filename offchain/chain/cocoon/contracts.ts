/** Typed state of the proxy, client and worker contracts, read through their getters with the wrappers' parsers. */
import { Address } from '@ton/core';
import { ClientContractState, CocoonClient, readClientState } from '../../../wrappers/client';
import { CocoonProxy, ProxyContractState, readProxyState } from '../../../wrappers/proxy';
import { CocoonWorker, readWorkerState, WorkerContractState } from '../../../wrappers/worker';
import type { ChainClient } from '../client';

export function readProxyContract(client: ChainClient, address: Address): Promise<ProxyContractState> {
    return readProxyState(client.open(CocoonProxy.fromAddress(address)));
}

export function readClientContract(client: ChainClient, address: Address): Promise<ClientContractState> {
    return readClientState(client.open(CocoonClient.fromAddress(address)));
}

export function readWorkerContract(client: ChainClient, address: Address): Promise<WorkerContractState> {
    return readWorkerState(client.open(CocoonWorker.fromAddress(address)));
}
