import {
    Blockchain,
    Executor,
    ExecutorEmulationResult,
    ExecutorGetMethodArgs,
    ExecutorGetMethodResult,
    ExecutorRunTickTockArgs,
    ExecutorRunTransactionArgs,
    IExecutor,
    LocalBlockchainStorage,
} from '@ton/sandbox';

/** What the emulator handed over for one transaction, as BoC bytes: the transaction and the account after it. */
export interface EmulatedBocs {
    transaction: Buffer;
    shardAccount: Buffer;
}

/**
 * The sandbox's executor, keeping the BoCs of the transaction it ran last: the store writes those bytes as they
 * came instead of serialising the parsed cells again (that took a third of the devnet's own time per message).
 */
class RecordingExecutor implements IExecutor {
    last?: EmulatedBocs;

    constructor(private readonly inner: Executor) {}

    runGetMethod(args: ExecutorGetMethodArgs): Promise<ExecutorGetMethodResult> {
        return this.inner.runGetMethod(args);
    }

    async runTickTock(args: ExecutorRunTickTockArgs): Promise<ExecutorEmulationResult> {
        return this.record(await this.inner.runTickTock(args));
    }

    async runTransaction(args: ExecutorRunTransactionArgs): Promise<ExecutorEmulationResult> {
        return this.record(await this.inner.runTransaction(args));
    }

    private record(r: ExecutorEmulationResult): ExecutorEmulationResult {
        this.last = r.result.success ? { transaction: Buffer.from(r.result.transaction, 'base64'), shardAccount: Buffer.from(r.result.shardAccount, 'base64') } : undefined;
        return r;
    }
}

/**
 * `@ton/sandbox`'s Blockchain, made fit to run for days: the sandbox keeps every transaction it ever executed (with
 * parent/child links) for its test helpers; the devnet keeps its own history, so it drops the sandbox's after each
 * batch instead of growing without bound.
 */
export class DevnetBlockchain extends Blockchain {
    private readonly recorder: RecordingExecutor;

    private constructor(recorder: RecordingExecutor) {
        super({ executor: recorder, storage: new LocalBlockchainStorage() });
        this.recorder = recorder;
    }

    static async start(): Promise<DevnetBlockchain> {
        const chain = new DevnetBlockchain(new RecordingExecutor(await Executor.create()));
        chain.verbosity = { ...chain.verbosity, print: false };
        return chain;
    }

    /** The BoCs of the transaction the chain executed last (read right after each step of a message chain). */
    lastEmulated(): EmulatedBocs {
        const last = this.recorder.last;
        if (!last) throw new Error('no emulated transaction to take');
        this.recorder.last = undefined;
        return last;
    }

    forgetHistory(): void {
        this.transactions = [];
    }
}
