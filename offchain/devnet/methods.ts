/** The TON HTTP API v2 methods the devnet serves, by toncenter's names, over a `DevnetLedger`. */
import { beginCell, Cell, loadMessage, Message, StateInit, storeMessage } from '@ton/core';
import { decodeArgStack, encodeResultStack } from '../chain/toncenterStack';
import { StackCodecError } from '../chain/errors';
import { normalizedMessageHash } from '../chain/messageHash';
import { liteServerError, validationError } from './errors';
import * as fmt from './format';
import { DevnetLedger } from './ledger';
import { Params } from './params';
import { TransactionNotFoundError } from './store';

export type ApiMethod = (ledger: DevnetLedger, p: Params) => Promise<unknown>;

const MAX_TRANSACTIONS_LIMIT = 1000;

export const methods: Record<string, ApiMethod> = {
    async getAddressInformation(ledger, p) {
        const a = await ledger.account(p.address());
        return fmt.addressInformation(a, ledger.blockSeqno, ledger.clock.now());
    },

    async getExtendedAddressInformation(ledger, p) {
        const a = await ledger.account(p.address());
        return fmt.extendedAddressInformation(a, ledger.blockSeqno, ledger.clock.now());
    },

    async getAddressBalance(ledger, p) {
        return (await ledger.account(p.address())).balance.toString();
    },

    async getAddressState(ledger, p) {
        return (await ledger.account(p.address())).state;
    },

    async getWalletInformation(ledger, p) {
        return fmt.walletInformation(await ledger.account(p.address()));
    },

    async runGetMethod(ledger, p) {
        const address = p.address();
        const rawMethod = p.get('method');
        let method: string | number;
        if (typeof rawMethod === 'number' && Number.isSafeInteger(rawMethod)) method = rawMethod;
        else if (typeof rawMethod === 'string' && /^-?[0-9]+$/.test(rawMethod)) method = Number(rawMethod);
        else if (typeof rawMethod === 'string' && rawMethod.length > 0) method = rawMethod;
        else throw validationError(`field 'method' must be a get-method name or id`);
        let rawStack = p.has('stack') ? p.get('stack') : [];
        if (typeof rawStack === 'string') {
            try {
                rawStack = JSON.parse(rawStack); // REST GET passes the stack as JSON text
            } catch {
                throw validationError(`field 'stack' is not valid JSON`);
            }
        }
        let stack;
        try {
            stack = decodeArgStack(rawStack);
        } catch (e) {
            if (e instanceof StackCodecError) throw validationError(e.message);
            throw e;
        }
        const r = await ledger.runGetMethod(address, method, stack);
        const acc = await ledger.account(address);
        return {
            '@type': 'smc.runResult',
            gas_used: Number(r.gasUsed),
            stack: encodeResultStack(r.stack),
            exit_code: r.exitCode,
            block_id: fmt.blockId(ledger.blockSeqno),
            last_transaction_id: fmt.transactionId(acc.lastLt, acc.lastHash),
        };
    },

    async sendBoc(ledger, p) {
        await ledger.sendExternal(externalMessage(p.boc('boc')));
        return { '@type': 'ok' };
    },

    async sendBocReturnHash(ledger, p) {
        const msg = externalMessage(p.boc('boc'));
        await ledger.sendExternal(msg);
        return { '@type': 'raw.extMessageInfo', hash: messageHash(msg).toString('base64'), hash_norm: normalizedMessageHash(msg).toString('base64') };
    },

    async getTransactions(ledger, p) {
        const address = p.address();
        const limit = p.has('limit') ? p.integer('limit') : 10n;
        if (limit < 1n || limit > BigInt(MAX_TRANSACTIONS_LIMIT)) throw validationError(`field 'limit' must be between 1 and ${MAX_TRANSACTIONS_LIMIT}`);
        const lt = p.optionalInteger('lt');
        const hash = p.has('hash') ? p.hash('hash') : undefined;
        if ((lt === undefined) !== (hash === undefined)) throw validationError(`fields 'lt' and 'hash' must be given together`);
        const toLt = p.optionalInteger('to_lt');
        try {
            const records = ledger.store.list(address, { lt, hash, toLt: toLt && toLt > 0n ? toLt : undefined, limit: Number(limit) });
            return records.map(fmt.transaction);
        } catch (e) {
            if (e instanceof TransactionNotFoundError) throw liteServerError(e.message);
            throw e;
        }
    },

    async getMasterchainInfo(ledger) {
        const last = fmt.blockId(ledger.blockSeqno);
        return { '@type': 'blocks.masterchainInfo', last, state_root_hash: last.root_hash, init: fmt.blockId(0) };
    },

    async shards(ledger, p) {
        const seqno = blockNumber(ledger, p);
        return { '@type': 'blocks.shards', shards: [fmt.blockId(seqno, 0)] };
    },

    async getBlockTransactions(ledger, p) {
        const workchain = Number(p.integer('workchain'));
        if (workchain !== 0 && workchain !== -1) throw validationError(`field 'workchain' must be 0 or -1`);
        if (p.integer('shard') !== BigInt(fmt.FULL_SHARD)) throw liteServerError(`the devnet has one shard per workchain, ${fmt.FULL_SHARD}`);
        const seqno = blockNumber(ledger, p);
        const count = p.has('count') ? Number(p.integer('count')) : 40;
        if (count < 1 || count > 1000) throw validationError(`field 'count' must be between 1 and 1000`);
        let txs = ledger.store.inBlock(seqno).filter((r) => r.address.workChain === workchain);
        const afterLt = p.optionalInteger('after_lt');
        if (afterLt !== undefined) txs = txs.filter((r) => r.lt > afterLt);
        return {
            '@type': 'blocks.transactions',
            id: fmt.blockId(seqno, workchain),
            req_count: count,
            incomplete: txs.length > count,
            transactions: txs.slice(0, count).map((r) => ({ '@type': 'blocks.shortTxId', mode: 135, account: r.address.toRawString(), lt: r.lt.toString(), hash: r.hash.toString('base64') })),
        };
    },

    async estimateFee(ledger, p) {
        const address = p.address();
        const body = p.boc('body');
        const code = p.optionalBoc('init_code');
        const data = p.optionalBoc('init_data');
        const init: StateInit | undefined = code || data ? { code, data } : undefined;
        const f = await ledger.estimateFee(address, body, init, p.boolean('ignore_chksig', true));
        return {
            '@type': 'query.fees',
            source_fees: { '@type': 'fees', in_fwd_fee: Number(f.inFwdFee), storage_fee: Number(f.storageFee), gas_fee: Number(f.gasFee), fwd_fee: Number(f.fwdFee) },
            destination_fees: [],
        };
    },

    async tryLocateTx(ledger, p) {
        return locate(ledger, p, 'result');
    },

    async tryLocateResultTx(ledger, p) {
        return locate(ledger, p, 'result');
    },

    async tryLocateSourceTx(ledger, p) {
        return locate(ledger, p, 'source');
    },
};

function blockNumber(ledger: DevnetLedger, p: Params): number {
    const seqno = p.integer('seqno');
    if (seqno < 0n || seqno > BigInt(ledger.blockSeqno)) throw liteServerError(`block ${seqno} is not known (the last is ${ledger.blockSeqno})`);
    return Number(seqno);
}

async function locate(ledger: DevnetLedger, p: Params, which: 'result' | 'source') {
    const source = p.address('source');
    const destination = p.address('destination');
    const createdLt = p.integer('created_lt');
    const rec = which === 'result' ? ledger.store.locateResult(source, destination, createdLt) : ledger.store.locateSource(source, destination, createdLt);
    if (!rec) throw liteServerError(`transaction for message ${source.toString()} -> ${destination.toString()} created at lt ${createdLt} not found`);
    return fmt.transaction(rec);
}

function externalMessage(cell: Cell): Message {
    let msg: Message;
    try {
        msg = loadMessage(cell.beginParse());
    } catch (e) {
        throw liteServerError(`cannot parse message: ${(e as Error).message}`);
    }
    if (msg.info.type !== 'external-in') throw liteServerError(`only external inbound messages can be sent, got ${msg.info.type}`);
    return msg;
}

function messageHash(msg: Message): Buffer {
    return beginCell().store(storeMessage(msg)).endCell().hash();
}
