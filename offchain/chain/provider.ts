import { Address, Cell, comment, Contract, ContractProvider, ContractState, openContract, SendMode, Sender, StateInit, toNano, TupleReader } from '@ton/core';
import type { ChainClient } from './client';
import { GetMethodFailedError } from './errors';

/**
 * `ContractProvider` over a `ChainClient`: what wrappers' `getX`/`sendX` methods call. External messages carry
 * `init` only while the contract is not deployed yet, as on a real network.
 */
export function createProvider(client: ChainClient, address: Address, init: StateInit | null): ContractProvider {
    const needsInit = async () => (init ? (await client.getAccount(address)).state !== 'active' : false);
    const provider: ContractProvider = {
        async getState(): Promise<ContractState> {
            const a = await client.getAccount(address);
            const state: ContractState['state'] =
                a.state === 'active'
                    ? { type: 'active', code: a.code?.toBoc() ?? null, data: a.data?.toBoc() ?? null }
                    : a.state === 'frozen'
                      ? { type: 'frozen', stateHash: Buffer.alloc(32) }
                      : { type: 'uninit' };
            return { balance: a.balance, extracurrency: null, last: a.last, state };
        },
        async get(name, args) {
            const r = await client.runGetMethod(address, name, args);
            if (r.exitCode !== 0 && r.exitCode !== 1) throw new GetMethodFailedError(address.toString(), String(name), r.exitCode);
            return { stack: new TupleReader(r.stack), gasUsed: r.gasUsed };
        },
        async external(message: Cell) {
            await client.sendExternal(address, message, (await needsInit()) ? init : null);
        },
        async internal(via: Sender, args) {
            await via.send({
                to: address,
                value: typeof args.value === 'string' ? toNano(args.value) : args.value,
                extracurrency: args.extracurrency,
                bounce: args.bounce ?? true,
                sendMode: args.sendMode ?? SendMode.PAY_GAS_SEPARATELY,
                init: (await needsInit()) ? init : undefined,
                body: typeof args.body === 'string' ? comment(args.body) : (args.body ?? undefined),
            });
        },
        open<T extends Contract>(contract: T) {
            return openContract(contract, (a) => createProvider(client, a.address, a.init ?? null));
        },
        getTransactions(addr: Address, lt: bigint, hash: Buffer, limit?: number) {
            return client.getTransactions(addr, { limit: limit ?? 100, lt, hash });
        },
    };
    return provider;
}
