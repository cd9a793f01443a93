import {
    Address,
    beginCell,
    Cell,
    Contract,
    ContractProvider,
    external,
    loadTransaction,
    Message,
    openContract,
    OpenedContract,
    StateInit,
    storeMessage,
    Transaction,
    TupleItem,
    TupleReader,
} from '@ton/core';
import { ChainApiError, ChainResponseError, GetMethodFailedError } from './errors';
import { createProvider } from './provider';
import { decodeResultStack, encodeArgStack } from './toncenterStack';
import { Endpoint, JsonRpcTransport, TransportOptions } from './transport';

export interface AccountState {
    balance: bigint;
    state: 'active' | 'uninitialized' | 'frozen';
    code: Cell | null;
    data: Cell | null;
    /** The account's last transaction, or null if it never had one. */
    last: { lt: bigint; hash: Buffer } | null;
    /** Unix time of the block the state was read from. */
    syncUtime: number;
}

export interface GetMethodResult {
    exitCode: number;
    gasUsed: bigint;
    stack: TupleItem[];
}

export interface TransactionsQuery {
    limit: number;
    /** Start from this transaction (inclusive, with `hash`); default: the newest. */
    lt?: bigint;
    hash?: Buffer;
    /** Only transactions with lt > toLt. */
    toLt?: bigint;
}

export interface SentMessage {
    hash: Buffer;
    /** TEP-467 normalised hash, the one explorers and `blueprint` use to find the transaction. */
    hashNorm: Buffer;
}

export type ChainClientOptions = TransportOptions;

/**
 * Typed access to a TON HTTP API v2 (toncenter, or the devnet) over one or more endpoints with failover. Also a
 * `ContractProvider` factory, so the Tact/Blueprint wrappers run over it unchanged (`client.open(contract)`), with
 * get-method results decoded correctly (tuples included, which `TonClient` gets wrong).
 */
export class ChainClient {
    readonly transport: JsonRpcTransport;

    constructor(opts: ChainClientOptions | string | Endpoint) {
        this.transport = new JsonRpcTransport(typeof opts === 'string' || 'url' in opts ? { endpoints: [opts] } : opts);
    }

    async getAccount(address: Address): Promise<AccountState> {
        const r = await this.transport.call<Record<string, any>>('getAddressInformation', { address: address.toString() });
        const state = r.state;
        if (state !== 'active' && state !== 'uninitialized' && state !== 'frozen') throw new ChainResponseError(`unknown account state '${state}'`);
        const lastLt = BigInt(r.last_transaction_id?.lt ?? '0');
        return {
            balance: BigInt(r.balance),
            state,
            code: r.code ? Cell.fromBase64(r.code) : null,
            data: r.data ? Cell.fromBase64(r.data) : null,
            last: lastLt === 0n ? null : { lt: lastLt, hash: Buffer.from(r.last_transaction_id.hash, 'base64') },
            syncUtime: Number(r.sync_utime),
        };
    }

    async getBalance(address: Address): Promise<bigint> {
        return BigInt(await this.transport.call<string>('getAddressBalance', { address: address.toString() }));
    }

    async runGetMethod(address: Address, method: string | number, args: TupleItem[] = []): Promise<GetMethodResult> {
        const r = await this.transport.call<{ exit_code: number; gas_used: number; stack: unknown }>('runGetMethod', {
            address: address.toString(),
            method,
            stack: encodeArgStack(args),
        });
        return { exitCode: r.exit_code, gasUsed: BigInt(r.gas_used), stack: decodeResultStack(r.stack) };
    }

    /** Runs a getter and returns its stack; a non-zero exit code is a `GetMethodFailedError`. */
    async get(address: Address, method: string | number, args: TupleItem[] = []): Promise<TupleReader> {
        const r = await this.runGetMethod(address, method, args);
        if (r.exitCode !== 0 && r.exitCode !== 1) throw new GetMethodFailedError(address.toString(), String(method), r.exitCode);
        return new TupleReader(r.stack);
    }

    async sendMessage(message: Message): Promise<SentMessage> {
        return this.sendBoc(beginCell().store(storeMessage(message)).endCell());
    }

    async sendExternal(to: Address, body: Cell, init?: StateInit | null): Promise<SentMessage> {
        return this.sendMessage(external({ to, body, init: init ?? undefined }));
    }

    async sendBoc(cell: Cell): Promise<SentMessage> {
        const r = await this.transport.call<{ hash: string; hash_norm?: string }>('sendBocReturnHash', { boc: cell.toBoc().toString('base64') });
        const hash = Buffer.from(r.hash, 'base64');
        return { hash, hashNorm: r.hash_norm ? Buffer.from(r.hash_norm, 'base64') : hash };
    }

    /** Newest first, as the API pages them. */
    async getTransactions(address: Address, q: TransactionsQuery): Promise<Transaction[]> {
        const params: Record<string, unknown> = { address: address.toString(), limit: q.limit };
        if (q.lt !== undefined) {
            if (!q.hash) throw new RangeError('getTransactions: lt needs hash');
            params.lt = q.lt.toString();
            params.hash = q.hash.toString('hex');
        }
        if (q.toLt !== undefined) params.to_lt = q.toLt.toString();
        const r = await this.transport.call<{ data: string }[]>('getTransactions', params);
        if (!Array.isArray(r)) throw new ChainResponseError('getTransactions did not return an array');
        return r.map((t) => loadTransaction(Cell.fromBase64(t.data).beginParse()));
    }

    /**
     * The account's transactions newer than `afterLt` (all of them when undefined), newest first, one page per
     * iteration, so a caller can stop as soon as it has found what it looks for.
     */
    async *pagesSince(address: Address, afterLt?: bigint, pageSize = 50): AsyncGenerator<Transaction[]> {
        const toLt = afterLt && afterLt > 0n ? afterLt : undefined;
        const newer = (txs: Transaction[]) => (toLt === undefined ? txs : txs.filter((t) => t.lt > toLt));
        let page = await this.getTransactions(address, { limit: pageSize, toLt });
        for (;;) {
            const fresh = newer(page);
            if (fresh.length > 0) yield fresh;
            if (page.length < pageSize) return;
            const oldest = page[page.length - 1];
            // a page starts with its anchor transaction: ask for one more and drop it
            page = (await this.getTransactions(address, { limit: pageSize + 1, lt: oldest.lt, hash: oldest.hash(), toLt })).slice(1);
            if (page.length > 0 && page[0].lt >= oldest.lt) {
                throw new ChainResponseError(`getTransactions did not page past lt ${oldest.lt} on ${address.toString()}`);
            }
        }
    }

    /** The transaction on `destination` caused by the message `source` created at `createdLt`, or null if not (yet) there. */
    async locateResultTx(source: Address, destination: Address, createdLt: bigint): Promise<Transaction | null> {
        try {
            const r = await this.transport.call<{ data: string }>('tryLocateResultTx', {
                source: source.toString(),
                destination: destination.toString(),
                created_lt: createdLt.toString(),
            });
            return loadTransaction(Cell.fromBase64(r.data).beginParse());
        } catch (e) {
            if (e instanceof ChainApiError && (e.code === 500 || e.code === 404)) return null;
            throw e;
        }
    }

    async getMasterchainInfo(): Promise<{ seqno: number; rootHash: string }> {
        const r = await this.transport.call<{ last: { seqno: number; root_hash: string } }>('getMasterchainInfo', {});
        return { seqno: r.last.seqno, rootHash: r.last.root_hash };
    }

    async estimateFee(address: Address, body: Cell, init?: StateInit, ignoreChksig = true) {
        const r = await this.transport.call<{ source_fees: { in_fwd_fee: number; storage_fee: number; gas_fee: number; fwd_fee: number } }>('estimateFee', {
            address: address.toString(),
            body: body.toBoc().toString('base64'),
            init_code: init?.code ? init.code.toBoc().toString('base64') : '',
            init_data: init?.data ? init.data.toBoc().toString('base64') : '',
            ignore_chksig: ignoreChksig,
        });
        const f = r.source_fees;
        return { inFwdFee: BigInt(f.in_fwd_fee), storageFee: BigInt(f.storage_fee), gasFee: BigInt(f.gas_fee), fwdFee: BigInt(f.fwd_fee) };
    }

    provider(address: Address, init?: StateInit | null): ContractProvider {
        return createProvider(this, address, init ?? null);
    }

    open<T extends Contract>(contract: T): OpenedContract<T> {
        return openContract(contract, (args) => this.provider(args.address, args.init));
    }
}
