import { Cell } from '@ton/core';
import { ClientProxyRequest, parseClientProxyRequest } from '../../../wrappers/client';
import { CocoonProxy } from '../../../wrappers/proxy';
import { parseWorkerProxyRequest, WorkerProxyRequest } from '../../../wrappers/worker';

/** What a proxy contract receives from its clients and workers, as the proxy service watches it. */
export type ProxyInbound = { kind: 'clientRequest'; request: ClientProxyRequest } | { kind: 'workerRequest'; request: WorkerProxyRequest };

/** `TransactionWatcher` decoder for a proxy contract (ops from the Tact bindings, parsing by the wrappers). */
export function decodeProxyInbound(op: number, body: Cell): ProxyInbound | undefined {
    if (op === CocoonProxy.opcodes.ClientProxyRequest) return { kind: 'clientRequest', request: parseClientProxyRequest(body) };
    if (op === CocoonProxy.opcodes.WorkerProxyRequest) return { kind: 'workerRequest', request: parseWorkerProxyRequest(body) };
    return undefined;
}
