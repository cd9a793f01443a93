/** Rendering of devnet objects in toncenter's API v2 response shapes (tonlib's `@type`d JSON). */
import { Address, beginCell, Cell, ExternalAddress, Message, storeMessage, storeStateInit } from '@ton/core';
import { createHash } from 'crypto';
import { AccountView } from './ledger';
import { TxRecord } from './store';
import { detectWallet } from './wallets';

export function friendly(address: Address): string {
    return address.toString({ urlSafe: true, bounceable: true });
}

const b64 = (b: Buffer) => b.toString('base64');
const boc = (c: Cell) => c.toBoc().toString('base64');

const STATE_BOCS_KEPT = 4096;
const stateBocs = new Map<string, string>();

/**
 * An account's code or data as a BoC, kept by cell hash: clients read the same code (every wallet of a kind shares
 * it) and unchanged data again and again, and serialising them was the largest part of `getAddressInformation`.
 */
function stateBoc(c: Cell): string {
    const key = c.hash().toString('base64');
    let text = stateBocs.get(key);
    if (text === undefined) {
        text = boc(c);
        if (stateBocs.size >= STATE_BOCS_KEPT) stateBocs.delete(stateBocs.keys().next().value!);
        stateBocs.set(key, text);
    }
    return text;
}

/** One shard per workchain, numbered like the masterchain: block `seqno` of workchain 0 goes with masterchain `seqno`. */
export const FULL_SHARD = '-9223372036854775808';

export function blockId(seqno: number, workchain = -1) {
    const h = (kind: string) => b64(createHash('sha256').update(`cocoon-devnet:${kind}:${workchain}:${seqno}`).digest());
    return { '@type': 'ton.blockIdExt', workchain, shard: FULL_SHARD, seqno, root_hash: h('root'), file_hash: h('file') };
}

export function transactionId(lt: bigint, hash: Buffer) {
    return { '@type': 'internal.transactionId', lt: lt.toString(), hash: b64(hash) };
}

export function addressInformation(a: AccountView, seqno: number, now: number) {
    return {
        '@type': 'raw.fullAccountState',
        balance: a.balance.toString(),
        extra_currencies: [],
        code: a.code ? stateBoc(a.code) : '',
        data: a.data ? stateBoc(a.data) : '',
        last_transaction_id: transactionId(a.lastLt, a.lastHash),
        block_id: blockId(seqno),
        frozen_hash: a.frozenHash ? b64(a.frozenHash) : '',
        sync_utime: now,
        state: a.state,
    };
}

export function extendedAddressInformation(a: AccountView, seqno: number, now: number) {
    const wallet = detectWallet(a.code, a.data);
    let accountState: object;
    if (a.state === 'uninitialized') accountState = { '@type': 'uninited.accountState', frozen_hash: '' };
    else if (wallet?.stateType) accountState = { '@type': wallet.stateType, wallet_id: String(wallet.walletId), seqno: wallet.seqno };
    else accountState = { '@type': 'raw.accountState', code: a.code ? stateBoc(a.code) : '', data: a.data ? stateBoc(a.data) : '', frozen_hash: a.frozenHash ? b64(a.frozenHash) : '' };
    return {
        '@type': 'fullAccountState',
        address: { '@type': 'accountAddress', account_address: friendly(a.address) },
        balance: a.balance.toString(),
        extra_currencies: [],
        last_transaction_id: transactionId(a.lastLt, a.lastHash),
        block_id: blockId(seqno),
        sync_utime: now,
        account_state: accountState,
        revision: 0,
    };
}

export function walletInformation(a: AccountView) {
    const wallet = a.state === 'active' ? detectWallet(a.code, a.data) : undefined;
    const res: Record<string, unknown> = {
        wallet: wallet !== undefined,
        balance: a.balance.toString(),
        account_state: a.state,
        last_transaction_id: transactionId(a.lastLt, a.lastHash),
    };
    if (wallet) {
        res.wallet_type = wallet.walletType;
        res.seqno = wallet.seqno;
        res.wallet_id = wallet.walletId;
    }
    return res;
}

function addressText(a: Address | ExternalAddress | null | undefined): string {
    if (!a) return '';
    return Address.isAddress(a) ? friendly(a) : a.toString();
}

export function message(m: Message) {
    const info = m.info;
    const base = {
        '@type': 'raw.message',
        hash: b64(beginCell().store(storeMessage(m)).endCell().hash()),
        source: addressText(info.src),
        destination: addressText(info.dest),
        value: info.type === 'internal' ? info.value.coins.toString() : '0',
        extra_currencies: [],
        fwd_fee: info.type === 'internal' ? info.forwardFee.toString() : '0',
        ihr_fee: info.type === 'internal' ? info.ihrFee.toString() : '0',
        created_lt: info.type === 'external-in' ? '0' : info.createdLt.toString(),
        body_hash: b64(m.body.hash()),
        msg_data: { '@type': 'msg.dataRaw', body: boc(m.body), init_state: m.init ? boc(beginCell().store(storeStateInit(m.init)).endCell()) : '' },
    };
    const text = commentOf(m.body);
    return text === undefined ? base : { ...base, message: text };
}

/** A text comment (op 0 followed by UTF-8), as toncenter shows it in `message`. */
function commentOf(body: Cell): string | undefined {
    const s = body.beginParse();
    if (s.remainingBits < 32 || s.preloadUint(32) !== 0) return undefined;
    s.skip(32);
    try {
        return s.loadStringTail();
    } catch {
        return undefined;
    }
}

export function transaction(r: TxRecord) {
    const tx = r.tx;
    const d = tx.description;
    const storageFee = d.type === 'generic' || d.type === 'storage' || d.type === 'tick-tock' ? (d.storagePhase?.storageFeesCollected ?? 0n) : 0n;
    const fee = tx.totalFees.coins;
    return {
        '@type': 'raw.transaction',
        address: { '@type': 'accountAddress', account_address: friendly(r.address) },
        utime: tx.now,
        data: b64(r.boc),
        transaction_id: transactionId(r.lt, r.hash),
        fee: fee.toString(),
        storage_fee: storageFee.toString(),
        other_fee: (fee - storageFee).toString(),
        ...(tx.inMessage ? { in_msg: message(tx.inMessage) } : {}),
        out_msgs: [...tx.outMessages.values()].map(message),
    };
}
