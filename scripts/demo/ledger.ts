// What the demo observes after each step: TON balances of named accounts, the fees and the value transfers of the
// step's transactions, and the contracts' accounting state.
import { Address, Transaction } from '@ton/core';
import { Blockchain } from '@ton/sandbox';

export interface Account {
    name: string;
    address: Address;
}

/** One internal message that carried value. */
export interface Transfer {
    from: string;
    to: string;
    value: bigint;
    /** What the message is, from its opcode ("payout", "excess", …). */
    kind: string;
}

export class DemoError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'DemoError';
    }
}

const KINDS: Record<number, string> = {
    0x2565934c: 'excess',
    0xc59a7cd3: 'payout',
    0x65448ff4: 'client → proxy request',
    0x4d725d2c: 'worker → proxy request',
    0xf172e6c2: 'top-up',
    0xbb63ff93: 'signed charge',
    0xa040ad28: 'signed worker payout',
    0x7610e6eb: 'proxy payout request',
    0x9713f187: 'proxy stake increase',
    0xc45f9f3b: 'client register',
    0x26ed7f65: 'worker register',
    0x71860e80: 'root: add proxy image hash',
    0xe34b1c60: 'root: add worker image hash',
    0xc146134d: 'root: add model hash',
    0x927c7cb5: 'root: register proxy',
};

export function kindOf(body: import('@ton/core').Cell): string {
    const s = body.beginParse();
    if (s.remainingBits < 32) return 'empty';
    const op = s.loadUint(32);
    return KINDS[op] ?? `op 0x${op.toString(16).padStart(8, '0')}`;
}

export function nameOf(accounts: Account[], a: Address): string {
    return accounts.find((x) => x.address.equals(a))?.name ?? a.toRawString();
}

export async function balancesOf(blockchain: Blockchain, accounts: Account[]): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    for (const a of accounts) out.set(a.name, (await blockchain.getContract(a.address)).balance);
    return out;
}

/**
 * Fees of a step: every transaction's total fees plus the forwarding fee of every internal message it sent (what
 * the network keeps; the sum of all balances falls by exactly this much).
 */
export function feesOf(txs: Transaction[]): bigint {
    let fees = 0n;
    for (const tx of txs) {
        fees += tx.totalFees.coins;
        for (const m of tx.outMessages.values()) if (m.info.type === 'internal') fees += m.info.forwardFee;
    }
    return fees;
}

/** The same fees, by the account that paid them (the transaction's account pays its fees and its messages'). */
export function feesByAccount(txs: Transaction[], accounts: Account[]): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const tx of txs) {
        const dest = tx.inMessage?.info.dest;
        if (!(dest instanceof Address)) continue;
        const name = nameOf(accounts, dest);
        out.set(name, (out.get(name) ?? 0n) + feesOf([tx]));
    }
    return out;
}

export function transfersOf(txs: Transaction[], accounts: Account[]): Transfer[] {
    const out: Transfer[] = [];
    for (const tx of txs) {
        for (const m of tx.outMessages.values()) {
            if (m.info.type !== 'internal') continue;
            const kind = m.info.bounced ? 'bounce' : kindOf(m.body);
            out.push({ from: nameOf(accounts, m.info.src), to: nameOf(accounts, m.info.dest), value: m.info.value.coins, kind });
        }
    }
    return out;
}

/** Throws if any transaction of the step failed: the demo runs only valid operations. */
export function expectAllSucceeded(step: string, txs: Transaction[], accounts: Account[]): void {
    for (const tx of txs) {
        const d = tx.description;
        if (d.type !== 'generic') continue;
        const exit = d.computePhase.type === 'vm' ? d.computePhase.exitCode : 0;
        const skipped = d.computePhase.type === 'skipped';
        // 1-nanoTON notifications to the proxy are records for its service: skipped for lack of gas, by design.
        const notification = skipped && tx.inMessage?.info.type === 'internal' && tx.inMessage.info.value.coins === 1n;
        if (d.aborted && !notification) {
            const dest = tx.inMessage?.info.dest;
            const where = dest instanceof Address ? nameOf(accounts, dest) : 'an account';
            throw new DemoError(`${step}: the transaction on ${where} failed (exit code ${skipped ? 'none, compute skipped' : exit})`);
        }
    }
}
