import { Cell, Slice } from '@ton/core';
import { WalletContractV3R2, WalletContractV4, WalletContractV5R1 } from '@ton/ton';

/** A standard wallet recognised by its code, as toncenter's `getWalletInformation` reports it. */
export interface WalletInfo {
    walletType: string;
    seqno: number;
    walletId: number;
}

interface KnownWallet {
    type: string;
    /** tonlib's name of the account-state object in `getExtendedAddressInformation`, when it has one. */
    stateType?: string;
    parse(data: Slice): { seqno: number; walletId: number };
}

const zeroKey = Buffer.alloc(32);
const seqnoThenId = (s: Slice) => ({ seqno: s.loadUint(32), walletId: s.loadUint(32) });

const known = new Map<string, KnownWallet>([
    [WalletContractV3R2.create({ workchain: 0, publicKey: zeroKey }).init.code.hash().toString('hex'), { type: 'wallet v3 r2', stateType: 'wallet.v3.accountState', parse: seqnoThenId }],
    [WalletContractV4.create({ workchain: 0, publicKey: zeroKey }).init.code.hash().toString('hex'), { type: 'wallet v4 r2', stateType: 'wallet.v4.accountState', parse: seqnoThenId }],
    [
        WalletContractV5R1.create({ publicKey: zeroKey }).init.code.hash().toString('hex'),
        {
            type: 'wallet v5 r1',
            parse: (s) => {
                s.skip(1); // is_signature_allowed
                const seqno = s.loadUint(32);
                return { seqno, walletId: s.loadInt(32) };
            },
        },
    ],
]);

export function detectWallet(code: Cell | undefined, data: Cell | undefined): (WalletInfo & { stateType?: string }) | undefined {
    if (!code || !data) return undefined;
    const w = known.get(code.hash().toString('hex'));
    if (!w) return undefined;
    try {
        const { seqno, walletId } = w.parse(data.beginParse());
        return { walletType: w.type, seqno, walletId, stateType: w.stateType };
    } catch {
        return undefined; // known code with data we cannot parse: report it as a plain contract
    }
}
