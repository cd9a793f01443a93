import { Address, Cell, Contract, ContractProvider, ContractState, OpenedContract, SenderArguments } from '@ton/core';
import { NetworkProvider, SenderWithSendResult, UIProvider } from '@ton/blueprint';
import { Blockchain, SandboxContract, TreasuryContract } from '@ton/sandbox';

/** What a sandbox provider cannot do (it has no remote API or network config). */
export class SandboxProviderError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'SandboxProviderError';
    }
}

/**
 * Blueprint's `NetworkProvider` over an in-process sandbox, so that the `run(provider, args)` functions of
 * `scripts/` are exercised in tests exactly as `npx blueprint run` calls them: `sender()` is a sandbox treasury,
 * `ui()` a scripted UI, and every message is processed to completion before `send` returns.
 */
export class SandboxNetworkProvider implements NetworkProvider {
    constructor(
        readonly blockchain: Blockchain,
        readonly wallet: SandboxContract<TreasuryContract>,
        private readonly uiProvider: UIProvider,
    ) {}

    network() {
        return 'custom' as const;
    }

    explorer() {
        return 'tonviewer' as const;
    }

    /** Sends through the opened treasury, which processes the whole message chain before returning. */
    sender(): SenderWithSendResult {
        const wallet = this.wallet;
        const sender = {
            address: wallet.address,
            lastSendResult: undefined as unknown,
            async send(args: SenderArguments) {
                sender.lastSendResult = await wallet.send(args);
            },
        };
        return sender;
    }

    api(): never {
        throw new SandboxProviderError('the sandbox provider has no remote API');
    }

    provider(address: Address, init?: { code?: Cell; data?: Cell }): ContractProvider {
        return this.blockchain.provider(address, init?.code && init?.data ? { code: init.code, data: init.data } : undefined);
    }

    async isContractDeployed(address: Address): Promise<boolean> {
        return (await this.blockchain.getContract(address)).accountState?.type === 'active';
    }

    async waitForDeploy(address: Address): Promise<void> {
        if (!(await this.isContractDeployed(address))) {
            throw new SandboxProviderError(`contract ${address.toString()} was not deployed`);
        }
    }

    /** As Blueprint 0.46 answers for mnemonic wallets: scripts must not depend on it (they use `sendAndWait`). */
    async waitForLastTransaction(): Promise<void> {
        throw new Error('Not implemented');
    }

    getContractState(address: Address): Promise<ContractState> {
        return this.blockchain.provider(address).getState();
    }

    getConfig(): never {
        throw new SandboxProviderError('the sandbox provider does not parse the network config');
    }

    async deploy(): Promise<void> {
        throw new SandboxProviderError('deploy() is deprecated in Blueprint; scripts send their own deploy message');
    }

    open<T extends Contract>(contract: T): OpenedContract<T> {
        return this.blockchain.openContract(contract) as unknown as OpenedContract<T>;
    }

    ui(): UIProvider {
        return this.uiProvider;
    }
}
