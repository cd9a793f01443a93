import { Blockchain, Executor, LocalBlockchainStorage } from '@ton/sandbox';

/**
 * `@ton/sandbox`'s Blockchain, made fit to run for days: the sandbox keeps every transaction it ever executed (with
 * parent/child links) for its test helpers; the devnet keeps its own history, so it drops the sandbox's after each
 * batch instead of growing without bound.
 */
export class DevnetBlockchain extends Blockchain {
    static async start(): Promise<DevnetBlockchain> {
        const chain = new DevnetBlockchain({ executor: await Executor.create(), storage: new LocalBlockchainStorage() });
        chain.verbosity = { ...chain.verbosity, print: false };
        return chain;
    }

    forgetHistory(): void {
        this.transactions = [];
    }
}
