import { Address, beginCell, Cell, external, Message, StateInit, storeShardAccount, TupleItem } from '@ton/core';
import { BlockchainTransaction, createShardAccount, GetMethodError, internal, SmartContract, snapshotFromSerializable, snapshotToSerializable } from '@ton/sandbox';
import { describeOutcome, formatOp, messageOp, transactionOutcome } from '../chain/txOutcome';
import { DevnetClock } from './clock';
import { liteServerError } from './errors';
import { DevnetBlockchain } from './sandbox';
import { ChainClock, DevnetStore, StoredAccount, txRecord, TxRecord } from './store';

/** A chain of messages longer than this is cut off (a ping-pong between contracts would otherwise never end). */
export const MAX_TRANSACTIONS_PER_MESSAGE = 10_000;
/** The faucet's sender address: a fixed address nobody holds a key for. */
export const FAUCET_ADDRESS = Address.parse('0:' + 'fa'.repeat(32));
/** Where TON keeps its configuration contract; tools read the network config from its data. */
export const CONFIG_ADDRESS = Address.parse('-1:' + '55'.repeat(32));

export interface AccountView {
    address: Address;
    balance: bigint;
    state: 'active' | 'uninitialized' | 'frozen';
    code?: Cell;
    data?: Cell;
    frozenHash?: Buffer;
    lastLt: bigint;
    lastHash: Buffer;
}

export interface GetMethodOutcome {
    exitCode: number;
    gasUsed: bigint;
    stack: TupleItem[];
}

export interface FeeEstimate {
    inFwdFee: bigint;
    storageFee: bigint;
    gasFee: bigint;
    fwdFee: bigint;
}

export type LedgerLog = (line: string) => void;

/**
 * The devnet's chain: one sandbox, one lock, every message executed to the end of its chain in order, and a
 * masterchain "block" counter that advances with time and with each executed batch. Every message chain is written
 * to the store as it completes (its transactions and the accounts they changed), so the store is the history.
 */
export class DevnetLedger {
    private queue: Promise<unknown> = Promise.resolve();

    private constructor(
        private readonly chain: DevnetBlockchain,
        readonly clock: DevnetClock,
        readonly store: DevnetStore,
        private readonly log: LedgerLog,
        private blockSeqnoValue: number,
        /** Chain time of the last block: a new block comes every chain second, and with every executed message chain. */
        private lastBlockTime: number,
    ) {}

    /** The chain in `store`, or a new one written to it. */
    static async create(opts: { speed: number; store: DevnetStore; log?: LedgerLog }): Promise<DevnetLedger> {
        const chain = await DevnetBlockchain.start();
        const saved = opts.store.load();
        const clock = new DevnetClock(opts.speed, saved?.clock.now ?? 0);
        const ledger = new DevnetLedger(chain, clock, opts.store, opts.log ?? (() => {}), saved?.clock.blockSeqno ?? 1, saved?.clock.blockTime ?? clock.now());
        if (saved) await chain.loadFrom(snapshotFromSerializable(saved.snapshot));
        else await ledger.deployConfigAccount();
        return ledger;
    }

    /**
     * Puts the sandbox's network config where a real network keeps it, in the data of the config contract
     * (`cfg_dict:^Cell seqno:uint32 public_key:uint256`), so tools such as Blueprint's `getConfig()` can read it.
     * The contract has empty code: messages to it do nothing. Writes the new chain's first commit.
     */
    private async deployConfigAccount(): Promise<void> {
        const data = beginCell().storeRef(this.chain.config).storeUint(0, 32).storeUint(0, 256).endCell();
        const account = createShardAccount({ address: CONFIG_ADDRESS, code: new Cell(), data, balance: 0n, workchain: -1 });
        await this.chain.setShardAccount(CONFIG_ADDRESS, account);
        const { contracts: _accounts, transactions: _history, lt: _lt, time: _time, ...sandbox } = snapshotToSerializable({ ...this.chain.snapshot(), contracts: [], transactions: [] });
        const shardAccount = beginCell().store(storeShardAccount(account)).endCell().toBoc();
        this.store.commit({ sandbox, records: [], accounts: [{ address: CONFIG_ADDRESS, shardAccount, lastTxTime: account.account?.storageStats.lastPaid ?? 0 }], clock: this.chainClock() });
    }

    /** The masterchain seqno: advances once per chain second (as blocks keep coming on a real network) and per batch. */
    get blockSeqno(): number {
        const now = this.clock.now();
        if (now > this.lastBlockTime) {
            this.blockSeqnoValue += now - this.lastBlockTime;
            this.lastBlockTime = now;
        }
        return this.blockSeqnoValue;
    }

    private chainClock(): ChainClock {
        const blockSeqno = this.blockSeqno;
        return { lt: this.chain.lt, now: this.clock.now(), blockSeqno, blockTime: this.lastBlockTime };
    }

    /** Runs `fn` alone: messages, reads and saves never interleave. */
    private exclusive<T>(fn: () => Promise<T>): Promise<T> {
        const run = this.queue.then(fn, fn);
        this.queue = run.catch(() => undefined);
        return run;
    }

    /** Executes an external message and everything it causes; rejects with a liteserver error if not accepted. */
    sendExternal(message: Message): Promise<TxRecord[]> {
        return this.exclusive(() => this.execute(message, true));
    }

    /** Sends `amount` nanoTON from the faucet to `to` (non-bounceable) and waits until the chain settles. */
    faucet(to: Address, amount: bigint): Promise<TxRecord[]> {
        const msg = internal({ from: FAUCET_ADDRESS, to, value: amount, bounce: false });
        return this.exclusive(() => this.execute(msg, false));
    }

    private async execute(message: Message, isExternal: boolean): Promise<TxRecord[]> {
        this.chain.now = this.clock.now();
        const block = (this.blockSeqnoValue = this.blockSeqno + 1); // each message chain gets a block of its own
        const iter = await this.chain.sendMessageIter(message, { allowParallel: true });
        const records: TxRecord[] = [];
        /** Each account's state after its last transaction in this chain, as the emulator wrote it. */
        const accounts = new Map<string, StoredAccount>();
        try {
            for (;;) {
                let step: IteratorResult<BlockchainTransaction>;
                try {
                    step = await iter.next();
                } catch (e) {
                    if (records.length === 0 && isExternal) {
                        throw liteServerError('cannot apply external message to current state : External message was not accepted');
                    }
                    this.log(`devnet: message chain stopped by an emulation error: ${(e as Error).message}`);
                    break;
                }
                if (step.done) break;
                const tx = step.value;
                const address = addressOfTransaction(tx.inMessage, tx.address);
                const emulated = this.chain.lastEmulated();
                const rec = txRecord(address, emulated.transaction, block, tx.raw, tx);
                accounts.set(address.toRawString(), { address, shardAccount: emulated.shardAccount, lastTxTime: tx.now });
                records.push(rec);
                this.logTransaction(rec);
                if (records.length >= MAX_TRANSACTIONS_PER_MESSAGE) {
                    this.log(`devnet: message chain cut off after ${MAX_TRANSACTIONS_PER_MESSAGE} transactions`);
                    break;
                }
            }
        } finally {
            this.chain.forgetHistory();
        }
        if (records.length === 0) return records;
        for (const a of accounts.values()) {
            if (!(await this.chain.getContract(a.address)).account.account) a.shardAccount = undefined; // deleted: its row goes
        }
        this.store.commit({ records, accounts: [...accounts.values()], clock: this.chainClock() });
        return records;
    }

    private logTransaction(rec: TxRecord): void {
        const inMsg = rec.tx.inMessage;
        const op = inMsg?.info.type === 'internal' ? formatOp(messageOp(inMsg.body)) : 'external';
        const outcome = describeOutcome(transactionOutcome(rec.tx));
        this.log(`tx ${rec.address.toString()} lt=${rec.lt} op=${op} ${outcome}`);
    }

    account(address: Address): Promise<AccountView> {
        return this.exclusive(async () => viewOf(address, await this.chain.getContract(address)));
    }

    runGetMethod(address: Address, method: string | number, stack: TupleItem[]): Promise<GetMethodOutcome> {
        return this.exclusive(async () => {
            const contract = await this.chain.getContract(address);
            if (contract.accountState?.type !== 'active') return { exitCode: -13, gasUsed: 0n, stack: [] };
            try {
                const r = await contract.get(method, stack, { now: this.clock.now() });
                return { exitCode: r.exitCode, gasUsed: r.gasUsed, stack: r.stack };
            } catch (e) {
                if (e instanceof GetMethodError) return { exitCode: e.exitCode, gasUsed: e.gasUsed, stack: [] };
                throw liteServerError(`get method failed: ${(e as Error).message}`);
            }
        });
    }

    /** Emulates an external message on a copy of the account, as toncenter's `estimateFee` does. */
    estimateFee(address: Address, body: Cell, init: StateInit | undefined, ignoreChksig: boolean): Promise<FeeEstimate> {
        return this.exclusive(async () => {
            const contract = await this.chain.getContract(address);
            const saved = contract.snapshot();
            try {
                const tx = await contract.receiveMessage(external({ to: address, body, init }), { now: this.clock.now(), ignoreChksig });
                const d = tx.description;
                if (d.type !== 'generic') throw new Error(`unexpected ${d.type} transaction`);
                const storageFee = d.storagePhase?.storageFeesCollected ?? 0n;
                const gasFee = d.computePhase.type === 'vm' ? d.computePhase.gasFees : 0n;
                const actionFees = d.actionPhase?.totalActionFees ?? 0n;
                const fwdFee = d.actionPhase?.totalFwdFees ?? 0n;
                const inFwdFee = tx.totalFees.coins - storageFee - gasFee - actionFees;
                return { inFwdFee, storageFee, gasFee, fwdFee };
            } catch (e) {
                throw liteServerError(`cannot apply external message to current state : ${(e as Error).message}`);
            } finally {
                contract.loadFrom(saved);
            }
        });
    }

    /** Records the clock and block counter and closes the store; the ledger is not used after. */
    close(): Promise<void> {
        return this.exclusive(async () => {
            this.store.saveClock(this.chainClock());
            this.store.close();
        });
    }
}

function addressOfTransaction(inMessage: Message | undefined | null, hash: bigint): Address {
    const dest = inMessage?.info.dest;
    if (dest && Address.isAddress(dest)) return dest;
    return new Address(0, Buffer.from(hash.toString(16).padStart(64, '0'), 'hex'));
}

function viewOf(address: Address, contract: SmartContract): AccountView {
    const shard = contract.account;
    const acc = shard.account;
    const lastHash = Buffer.from(shard.lastTransactionHash.toString(16).padStart(64, '0'), 'hex');
    const view: AccountView = { address, balance: acc?.storage.balance.coins ?? 0n, state: 'uninitialized', lastLt: shard.lastTransactionLt, lastHash };
    const st = acc?.storage.state;
    if (st?.type === 'active') {
        view.state = 'active';
        view.code = st.state.code ?? undefined;
        view.data = st.state.data ?? undefined;
    } else if (st?.type === 'frozen') {
        view.state = 'frozen';
        view.frozenHash = Buffer.from(st.stateHash.toString(16).padStart(64, '0'), 'hex');
    }
    return view;
}
