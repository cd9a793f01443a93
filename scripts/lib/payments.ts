// Shared steps of the proxy, client and worker scripts: opening the contracts, sending a message and waiting for
// it, printing state.
import { Address, Cell, fromNano, StateInit } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { CocoonProxy, readProxyState, ProxyContractState } from '../../wrappers/proxy';
import { CocoonClient, readClientState, ClientContractState } from '../../wrappers/client';
import { CocoonWorker, readWorkerState, WorkerContractState } from '../../wrappers/worker';
import { ArgumentError } from './args';
import { sendAndWait } from './send';

const STATE_NAMES = ['normal', 'closing', 'closed'];

/** Opens a deployed contract and checks that it answers its COCOON getter. */
export async function openDeployed<T>(provider: NetworkProvider, address: Address, open: (a: Address) => T, check: (c: T) => Promise<unknown>, what: string): Promise<T> {
    if (!(await provider.isContractDeployed(address))) {
        throw new ArgumentError(`${what}: no contract is deployed at ${address.toString()}`);
    }
    const contract = open(address);
    try {
        await check(contract);
    } catch {
        throw new ArgumentError(`${what}: ${address.toString()} is not a COCOON ${what} contract`);
    }
    return contract;
}

export const openProxy = (provider: NetworkProvider, a: Address) =>
    openDeployed(provider, a, (x) => provider.open(CocoonProxy.fromAddress(x)), (c) => c.getGetCocoonProxyData(), 'proxy');
export const openClient = (provider: NetworkProvider, a: Address) =>
    openDeployed(provider, a, (x) => provider.open(CocoonClient.fromAddress(x)), (c) => c.getGetCocoonClientData(), 'client');
export const openWorker = (provider: NetworkProvider, a: Address) =>
    openDeployed(provider, a, (x) => provider.open(CocoonWorker.fromAddress(x)), (c) => c.getGetCocoonWorkerData(), 'worker');

/** The address the script acts from (the connected wallet). */
export function senderAddress(provider: NetworkProvider): Address {
    const a = provider.sender().address;
    if (!a) throw new ArgumentError('the connected wallet has no address');
    return a;
}

/** Sends `body` (or a deployment with `init`) from the connected wallet and waits for it. */
export async function sendFromWallet(provider: NetworkProvider, to: Address, value: bigint, body?: Cell, init?: StateInit) {
    await sendAndWait(provider, { to, value, body, init });
}

export function printProxy(provider: NetworkProvider, address: Address, s: ProxyContractState) {
    provider.ui().write(
        [
            `proxy ${address.toString()}`,
            `  state ${STATE_NAMES[s.state]}${s.unlockTs ? `, unlocks at ${s.unlockTs}` : ''}`,
            `  earnings ${fromNano(s.balance)} TON, stake ${fromNano(s.stake)} TON (minimum ${fromNano(s.minProxyStake)}: ${s.stakeCovered ? 'covered' : 'NOT covered'})`,
            `  owner ${s.owner.toString()}, root ${s.root.toString()}, params version ${s.paramsVersion}`,
        ].join('\n'),
    );
}

export function printClient(provider: NetworkProvider, address: Address, s: ClientContractState) {
    provider.ui().write(
        [
            `client ${address.toString()}`,
            `  state ${STATE_NAMES[s.state]}${s.unlockTs ? `, unlocks at ${s.unlockTs}` : ''}`,
            `  balance ${fromNano(s.balance)} TON, stake ${fromNano(s.stake)} TON, tokens charged ${s.tokensUsed}`,
            `  owner ${s.owner.toString()}, proxy ${s.proxyAddress.toString()}`,
        ].join('\n'),
    );
}

export function printWorker(provider: NetworkProvider, address: Address, s: WorkerContractState) {
    provider.ui().write(
        [
            `worker ${address.toString()}`,
            `  state ${STATE_NAMES[s.state]}, tokens paid ${s.tokens}`,
            `  owner ${s.owner.toString()}, proxy ${s.proxyAddress.toString()}`,
        ].join('\n'),
    );
}

export const showProxy = async (provider: NetworkProvider, a: Address) => printProxy(provider, a, await readProxyState(await openProxy(provider, a)));
export const showClient = async (provider: NetworkProvider, a: Address) => printClient(provider, a, await readClientState(await openClient(provider, a)));
export const showWorker = async (provider: NetworkProvider, a: Address) => printWorker(provider, a, await readWorkerState(await openWorker(provider, a)));
