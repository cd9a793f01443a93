// The devnet's transactions grouped by the flow that caused them: each message chain starts with an external
// message to a service's wallet, and every transaction down the chain belongs to the flow of the wallet message it
// descends from (named by that message's opcode).
import { Address, Transaction } from '@ton/core';
import type { TxRecord } from '../../../offchain/devnet/store';
import { messageOp } from '../../../offchain/chain/txOutcome';
import { FAUCET_ADDRESS } from '../../../offchain/devnet/ledger';
import { OP_DO_NOT_PROCESS } from '../../../wrappers/proxy';
import { OP_REPUTATION_SNAPSHOT } from '../../../wrappers/reputation';
import { SignedOp } from '../../../wrappers/signing';
import { feesOf } from '../../demo/ledger';

const FLOW_NAMES: Record<number, string> = {
    [OP_DO_NOT_PROCESS]: 'save-state',
    [SignedOp.charge]: 'charge',
    0xf172e6c2: 'top-up',
    [SignedOp.payout]: 'payout',
    [OP_REPUTATION_SNAPSHOT]: 'reputation snapshot',
};

/** Transactions not caused by a service: the faucet's transfers and chains started before the measured span. */
const NOT_A_SERVICE = 'faucet';
const EARLIER = 'started before the span';

export interface FlowTally {
    flow: string;
    /** Wallet messages that started the flow. */
    messages: number;
    /** Those messages by the wallet (account name) that sent them. */
    senders: Map<string, number>;
    transactions: number;
    /** nanoTON: each transaction's total fees plus the forwarding fee of each internal message it sent. */
    fees: bigint;
}

const messageKey = (src: Address, dest: Address, createdLt: bigint) => `${src.toRawString()}>${dest.toRawString()}@${createdLt}`;

function flowOfWalletMessage(body: import('@ton/core').Cell): string {
    const op = messageOp(body);
    return op === null ? 'empty message' : (FLOW_NAMES[op] ?? `op 0x${op.toString(16).padStart(8, '0')}`);
}

/**
 * Tallies `txs` (in execution order) by flow, and by account name (`names`, raw address → name; others "other").
 * A wallet transaction sending several messages at once counts once, under its first message's flow; its total fees
 * are split evenly over its messages' flows and each message's forwarding fee goes to that message's flow.
 */
export function tallyFlows(txs: readonly TxRecord[], names: Map<string, string>): { flows: FlowTally[]; accounts: Map<string, number> } {
    const labels = new Map<string, string>();
    const flows = new Map<string, FlowTally>();
    const accounts = new Map<string, number>();
    const tally = (flow: string) => {
        let t = flows.get(flow);
        if (!t) flows.set(flow, (t = { flow, messages: 0, senders: new Map(), transactions: 0, fees: 0n }));
        return t;
    };
    const outs = (tx: Transaction) => [...tx.outMessages.values()].filter((m) => m.info.type === 'internal');
    for (const rec of txs) {
        const tx = rec.tx;
        const inInfo = tx.inMessage?.info;
        let flow: string;
        if (inInfo?.type === 'external-in') {
            const sent = outs(tx);
            const sender = names.get(rec.address.toRawString()) ?? 'other';
            const perMessage = sent.map((m) => flowOfWalletMessage(m.body));
            flow = perMessage[0] ?? 'empty wallet external';
            const n = BigInt(Math.max(sent.length, 1));
            const share = tx.totalFees.coins / n;
            const first = tx.totalFees.coins - share * (n - 1n);
            if (sent.length === 0) tally(flow).fees += first;
            sent.forEach((m, i) => {
                const t = tally(perMessage[i]);
                t.messages++;
                t.senders.set(sender, (t.senders.get(sender) ?? 0) + 1);
                t.fees += (i === 0 ? first : share) + (m.info.type === 'internal' ? m.info.forwardFee : 0n);
                if (m.info.type === 'internal') labels.set(messageKey(m.info.src, m.info.dest, m.info.createdLt), perMessage[i]);
            });
            tally(flow).transactions++;
        } else {
            flow =
                inInfo?.type === 'internal'
                    ? inInfo.src.equals(FAUCET_ADDRESS)
                        ? NOT_A_SERVICE
                        : (labels.get(messageKey(inInfo.src, inInfo.dest, inInfo.createdLt)) ?? EARLIER)
                    : EARLIER;
            const t = tally(flow);
            t.transactions++;
            t.fees += feesOf([tx]);
            for (const m of outs(tx)) if (m.info.type === 'internal') labels.set(messageKey(m.info.src, m.info.dest, m.info.createdLt), flow);
        }
        if (flow !== NOT_A_SERVICE && flow !== EARLIER) {
            const name = names.get(rec.address.toRawString()) ?? 'other';
            accounts.set(name, (accounts.get(name) ?? 0) + 1);
        }
    }
    return { flows: [...flows.values()], accounts };
}
