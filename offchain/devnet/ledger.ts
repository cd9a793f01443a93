import { Address, beginCell, Cell, external, loadShardAccount, Message, StateInit, TupleItem } from '@ton/core';
import { BlockchainTransaction, createShardAccount, GetMethodError, internal, SmartContract, snapshotFromSerializable, snapshotToSerializable } from '@ton/sandbox';
import { describeOutcome, formatOp, messageOp, transactionOutcome } from '../chain/txOutcome';
import { DevnetClock } from './clock';
import { liteServerError } from './errors';
import { DevnetBlockchain } from './sandbox';
import { TransactionIndex, TxRecord } from './txIndex';

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

export type SerializableSnapshot = ReturnType<typeof snapshotToSerializable>;

export interface SavedLedger {
    now: number;
    blockSeqno: number;
    blockchain: SerializableSnapshot;
    transactions: { address: string; boc: string; block?: number }[];
}

export type LedgerLog = (line: string) => void;

/**
 * The devnet's chain: one sandbox, one lock, every message executed to the end of its chain in order, a history of
 * transactions per account, and a masterchain "block" counter that advances with time and with each executed batch.
 */
export class DevnetLedger {
    readonly txs = new TransactionIndex();
    private queue: Promise<unknown> = Promise.resolve();
    private blockSeqnoValue: number;
    /** Chain time of the last block: a new block comes every chain second, and with every executed message chain. */
    private lastBlockTime: number;
    private dirty = false;

    private constructor(
        private readonly chain: DevnetBlockchain,
        readonly clock: DevnetClock,
        private readonly log: LedgerLog,
        blockSeqno: number,
    ) {
        this.blockSeqnoValue = blockSeqno;
        this.lastBlockTime = clock.now();
    }

    static async create(opts: { speed: number; saved?: SavedLedger; log?: LedgerLog }): Promise<DevnetLedger> {
        const chain = await DevnetBlockchain.start();
        const clock = new DevnetClock(opts.speed, opts.saved?.now ?? 0);
        const ledger = new DevnetLedger(chain, clock, opts.log ?? (() => {}), opts.saved?.blockSeqno ?? 1);
        if (opts.saved) {
            await chain.loadFrom(snapshotFromSerializable(opts.saved.blockchain));
            for (const t of opts.saved.transactions) {
                ledger.txs.add(Address.parse(t.address), Cell.fromBase64(t.boc), t.block ?? 0);
            }
        } else {
            await ledger.deployConfigAccount();
        }
        return ledger;
    }

    /**
     * Puts the sandbox's network config where a real network keeps it, in the data of the config contract
     * (`cfg_dict:^Cell seqno:uint32 public_key:uint256`), so tools such as Blueprint's `getConfig()` can read it.
     * The contract has empty code: messages to it do nothing.
     */
    private async deployConfigAccount(): Promise<void> {
        const data = beginCell().storeRef(this.chain.config).storeUint(0, 32).storeUint(0, 256).endCell();
        await this.chain.setShardAccount(CONFIG_ADDRESS, createShardAccount({ address: CONFIG_ADDRESS, code: new Cell(), data, balance: 0n, workchain: -1 }));
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

    /** True when something executed since the last `save()`. */
    get changed(): boolean {
        return this.dirty;
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
                const rec = this.txs.add(address, tx.raw, block);
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
        if (records.length > 0) this.dirty = true;
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

    /** The whole chain as plain JSON-ready data; accounts never touched by a transaction are left out. */
    save(): Promise<SavedLedger> {
        return this.exclusive(async () => {
            const blockchain = snapshotToSerializable(this.chain.snapshot());
            blockchain.contracts = blockchain.contracts.filter((c) => loadShardAccount(Cell.fromBase64(c.account).beginParse()).account);
            blockchain.transactions = [];
            this.dirty = false;
            return {
                now: this.clock.now(),
                blockSeqno: this.blockSeqno,
                blockchain,
                transactions: this.txs.all().map((r) => ({ address: r.address.toRawString(), boc: r.cell.toBoc().toString('base64'), block: r.block })),
            };
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
