import { Address, beginCell, Cell, Slice } from '@ton/core';
import * as RootTact from '../../build/CocoonRoot/tact_CocoonRoot';
import * as WalletTact from '../../build/CocoonWallet/tact_CocoonWallet';
import {
    addHashBody,
    changeAllParamsBody,
    changeOwnerBody,
    changeParamsBody,
    changePriceBody,
    delHashBody,
    registerProxyBody,
    resetRootBody,
    unregisterProxyBody,
    updateProxyBody,
    upgradeCodeBody,
    upgradeContractsBody,
    upgradeFullBody,
} from '../../wrappers/root';
import { internalMessageCell, ownerSendMessageBody, signedWalletBody, walletCommandBody } from '../../wrappers/wallet';
import { loadTlb, loadTlbFields, storeTlb, tlbConstructor, TlbValue } from '../helpers/tlb';
import { keyPairFromSeed } from '@ton/crypto';

const tlb = loadTlb();

/** Comparable form: addresses as strings, cells and slices by hash, buffers as hex. */
function norm(v: unknown): unknown {
    if (v instanceof Address) return v.toRawString();
    if (v instanceof Cell) return 'cell:' + v.hash().toString('hex');
    if (v instanceof Slice) return 'cell:' + v.asCell().hash().toString('hex');
    if (Buffer.isBuffer(v)) return 'hex:' + v.toString('hex');
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== '$$type').map(([k, x]) => [k, norm(x)]));
    return v;
}

const A = Address.parse('0:' + '42'.repeat(32));
const HASH = Buffer.from('ab'.repeat(32), 'hex');
const H = BigInt('0x' + HASH.toString('hex'));
const code = (n: number) => beginCell().storeUint(n, 16).endCell();
const descriptor = (text: string) => ({ type: 0n, len: BigInt(text.length), text: Buffer.from(text) });
const descriptorSlice = (text: string) => beginCell().storeUint(0, 1).storeUint(text.length, 7).storeBuffer(Buffer.from(text)).asSlice();

interface Case {
    tlb: string;
    values: Record<string, TlbValue>;
    wrapper: Cell;
    tact: (s: Slice) => unknown;
    tactValues: Record<string, unknown>;
}

const params = {
    pricePerToken: 11n,
    workerFeePerToken: 7n,
    proxyDelayBeforeClose: 3600,
    clientDelayBeforeClose: 1800,
    minProxyStake: 5_000_000_000n,
    minClientStake: 1_000_000_000n,
};
const multipliers = {
    promptTokensPriceMultiplier: 10000,
    cachedTokensPriceMultiplier: 2500,
    completionTokensPriceMultiplier: 30000,
    reasoningTokensPriceMultiplier: 35000,
};
const tlbParams = {
    price_per_token: 11n,
    worker_fee_per_token: 7n,
    proxy_delay_before_close: 3600n,
    client_delay_before_close: 1800n,
    min_proxy_stake: 5_000_000_000n,
    min_client_stake: 1_000_000_000n,
};
const tactParams = {
    pricePerToken: 11n,
    workerFeePerToken: 7n,
    proxyDelayBeforeClose: 3600n,
    clientDelayBeforeClose: 1800n,
    minProxyStake: 5_000_000_000n,
    minClientStake: 1_000_000_000n,
};

const hashCases: Case[] = (['worker', 'model', 'proxy'] as const).flatMap((kind) => {
    const Kind = kind[0].toUpperCase() + kind.slice(1);
    const t = RootTact as unknown as Record<string, (s: Slice) => unknown>;
    return [
        { tlb: `root_add_${kind}_type`, values: { query_id: 9n, hash: HASH }, wrapper: addHashBody(kind, H, 9n), tact: t[`loadAdd${Kind}Type`], tactValues: { queryId: 9n, hash: H } },
        { tlb: `root_del_${kind}_type`, values: { query_id: 9n, hash: HASH }, wrapper: delHashBody(kind, H, 9n), tact: t[`loadDel${Kind}Type`], tactValues: { queryId: 9n, hash: H } },
    ];
});

const cases: Case[] = [
    ...hashCases,
    {
        tlb: 'root_register_proxy',
        values: { query_id: 1n, descriptor: descriptor('1.2.3.4:5 6.7.8.9:10') },
        wrapper: registerProxyBody('1.2.3.4:5 6.7.8.9:10', 1n),
        tact: RootTact.loadRegisterProxy,
        tactValues: { queryId: 1n, descriptor: descriptorSlice('1.2.3.4:5 6.7.8.9:10') },
    },
    {
        tlb: 'root_unregister_proxy',
        values: { query_id: 2n, seqno: 77n },
        wrapper: unregisterProxyBody(77, 2n),
        tact: RootTact.loadUnregisterProxy,
        tactValues: { queryId: 2n, seqno: 77n },
    },
    {
        tlb: 'root_update_proxy',
        values: { query_id: 3n, seqno: 4n, descriptor: descriptor('h:1') },
        wrapper: updateProxyBody(4, 'h:1', 3n),
        tact: RootTact.loadUpdateProxy,
        tactValues: { queryId: 3n, seqno: 4n, descriptor: descriptorSlice('h:1') },
    },
    {
        tlb: 'root_change_price',
        values: { query_id: 4n, price_per_token: 12n, worker_fee_per_token: 3n },
        wrapper: changePriceBody(12n, 3n, 4n),
        tact: RootTact.loadChangePrice,
        tactValues: { queryId: 4n, pricePerToken: 12n, workerFeePerToken: 3n },
    },
    {
        tlb: 'root_change_params',
        values: { query_id: 5n, ...tlbParams },
        wrapper: changeParamsBody(params, 5n),
        tact: RootTact.loadChangeParams,
        tactValues: { queryId: 5n, ...tactParams },
    },
    {
        tlb: 'root_change_all_params',
        values: {
            query_id: 6n,
            ...tlbParams,
            prompt_tokens_price_multiplier: 10000n,
            cached_tokens_price_multiplier: 2500n,
            completion_tokens_price_multiplier: 30000n,
            reasoning_tokens_price_multiplier: 35000n,
        },
        wrapper: changeAllParamsBody({ ...params, ...multipliers }, 6n),
        tact: RootTact.loadChangeAllParams,
        tactValues: {
            queryId: 6n,
            ...tactParams,
            promptTokensPriceMultiplier: 10000n,
            cachedTokensPriceMultiplier: 2500n,
            completionTokensPriceMultiplier: 30000n,
            reasoningTokensPriceMultiplier: 35000n,
        },
    },
    {
        tlb: 'root_upgrade_contracts',
        values: { query_id: 7n, proxy_sc_code: code(1), worker_sc_code: code(2), client_sc_code: code(3) },
        wrapper: upgradeContractsBody({ proxy: code(1), worker: code(2), client: code(3) }, 7n),
        tact: RootTact.loadUpgradeContracts,
        tactValues: { queryId: 7n, proxyScCode: code(1), workerScCode: code(2), clientScCode: code(3) },
    },
    {
        tlb: 'root_upgrade',
        values: { query_id: 8n, new_code: code(4) },
        wrapper: upgradeCodeBody(code(4), 8n),
        tact: RootTact.loadUpgradeCode,
        tactValues: { queryId: 8n, code: code(4) },
    },
    {
        tlb: 'root_reset',
        values: { query_id: 9n },
        wrapper: resetRootBody(9n),
        tact: RootTact.loadResetRoot,
        tactValues: { queryId: 9n },
    },
    {
        tlb: 'root_upgrade_full',
        values: { query_id: 10n, new_data: code(5), new_code: code(6) },
        wrapper: upgradeFullBody(code(5), code(6), 10n),
        tact: RootTact.loadUpgradeFull,
        tactValues: { queryId: 10n, data: code(5), code: code(6) },
    },
    {
        tlb: 'root_change_owner',
        values: { query_id: 11n, new_owner: A },
        wrapper: changeOwnerBody(A, 11n),
        tact: RootTact.loadChangeOwner,
        tactValues: { queryId: 11n, newOwner: A },
    },
    {
        tlb: 'owner_wallet_send_message',
        values: { query_id: 12n, mode: 3n, message: code(7) },
        wrapper: ownerSendMessageBody(code(7), 3, 12n),
        tact: WalletTact.loadOwnerWalletSendMessage,
        tactValues: { queryId: 12n, mode: 3n, message: code(7) },
    },
    {
        tlb: 'excesses',
        values: { query_id: 13n },
        wrapper: beginCell().store(RootTact.storeExcesses({ $$type: 'Excesses', queryId: 13n })).endCell(),
        tact: RootTact.loadExcesses,
        tactValues: { queryId: 13n },
    },
    {
        tlb: 'payout',
        values: { query_id: 14n },
        wrapper: beginCell().store(RootTact.storePayout({ $$type: 'Payout', queryId: 14n })).endCell(),
        tact: RootTact.loadPayout,
        tactValues: { queryId: 14n },
    },
];

describe('messages.tlb ↔ Tact ↔ wrappers (root, wallet, common)', () => {
    it.each(cases.map((c) => [c.tlb, c] as const))('%s', (_, c) => {
        const ctor = tlbConstructor(tlb, c.tlb);
        // TL-B field list → bits equal to what the wrapper builds
        expect(storeTlb(tlb, ctor, c.values).endCell().equals(c.wrapper)).toBe(true);
        // wrapper bits → TL-B fields, nothing left over
        const s = c.wrapper.beginParse();
        expect(norm(loadTlbFields(tlb, ctor, s))).toEqual(norm(c.values));
        expect([s.remainingBits, s.remainingRefs]).toEqual([0, 0]);
        // wrapper bits → Tact-generated loader (what the contract's message type declares)
        expect(norm(c.tact(c.wrapper.beginParse()))).toEqual(norm(c.tactValues));
    });

    it('text commands are op 0 and exactly one byte', () => {
        const ctor = tlbConstructor(tlb, 'text_command');
        for (const cmd of ['w', 'b', 'u'] as const) {
            expect(storeTlb(tlb, ctor, { command: BigInt(cmd.charCodeAt(0)) }).endCell().equals(walletCommandBody(cmd))).toBe(true);
        }
    });

    it('wallet externals: signature ‖ subwallet ‖ valid_until ‖ seqno ‖ (mode ‖ ^message)*, signed over sha256(wallet ‖ hash of the rest)', () => {
        const key = keyPairFromSeed(Buffer.alloc(32, 3));
        const m1 = internalMessageCell({ to: A, value: 5n, bounce: false });
        const m2 = internalMessageCell({ to: A, value: 6n, bounce: true });
        const body = signedWalletBody({ wallet: A, secretKey: key.secretKey, subwalletId: 2, validUntil: 1000, seqno: 3, messages: [{ mode: 1, message: m1 }, { mode: 130, message: m2 }] });
        const s = body.beginParse();
        const signature = s.loadBuffer(64);
        const signed = s.asCell();
        const digest = require('node:crypto').createHash('sha256').update(A.hash).update(signed.hash()).digest();
        expect(require('@ton/crypto').signVerify(digest, signature, key.publicKey)).toBe(true);
        const header = tlbConstructor(tlb, 'wallet_signed');
        expect(header.fields.map((f) => f.name)).toEqual(['subwallet_id', 'valid_until', 'seqno', 'messages']);
        expect([s.loadUint(32), s.loadUint(32), s.loadUint(32), s.loadUint(8), s.loadUint(8), s.remainingBits]).toEqual([2, 1000, 3, 1, 130, 0]);
        expect([s.loadRef().equals(m1), s.loadRef().equals(m2), s.remainingRefs]).toEqual([true, true, 0]);
    });

    it('every message opcode in the contracts\' Tact declarations appears in messages.tlb with the same tag', () => {
        const tags = new Map([...tlb.values()].filter((c) => c.tag?.bits === 32).map((c) => [c.tag!.value, c.name]));
        const opcodes = {
            ...RootTact.CocoonRoot.opcodes,
            ...WalletTact.CocoonWallet.opcodes,
        } as Record<string, number>;
        expect(Object.keys(opcodes).sort()).toEqual(
            ['AddModelType', 'AddProxyType', 'AddWorkerType', 'ChangeAllParams', 'ChangeOwner', 'ChangeParams', 'ChangePrice',
             'DelModelType', 'DelProxyType', 'DelWorkerType', 'DoNotProcess', 'Excesses', 'OwnerWalletSendMessage', 'Payout',
             'RegisterProxy', 'ResetRoot', 'UnregisterProxy', 'UpdateProxy', 'UpgradeCode', 'UpgradeContracts', 'UpgradeFull'],
        );
        for (const [name, op] of Object.entries(opcodes)) {
            expect([name, tags.has(BigInt(op))]).toEqual([name, true]);
        }
    });
});
