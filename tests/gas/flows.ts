// What each money flow costs in fees, end to end: every transaction's total fees plus the forwarding fee of every
// internal message it sent, over all the transactions the flow causes (`npm run gas` prints them).
import { toNano } from '@ton/core';
import { SendMessageResult } from '@ton/sandbox';
import { paymentsSandbox, PaymentsSandbox } from '../contracts/payments.setup';
import { clientMessages } from '../../wrappers/client';
import { internalMessageCell } from '../../wrappers/wallet';
import { deployWallet, sendExternal } from '../helpers/walletFixture';
import { feesOf } from '../../scripts/demo/ledger';

export interface FlowFee {
    flow: string;
    transactions: number;
    fees: bigint;
}

const topUp = (s: PaymentsSandbox, amount = toNano('10')) =>
    s.clientOwner.send({ to: s.client.address, value: amount + toNano('0.7'), body: clientMessages.topUp(1n, amount, s.clientOwner.address) });
const owner = (s: PaymentsSandbox, body: ReturnType<typeof clientMessages.withdraw>) => s.clientOwner.send({ to: s.client.address, value: toNano('0.7'), body });
const signed = (s: PaymentsSandbox, kind: 'charge' | 'grantRefund' | 'payout' | 'lastPayout', newTokens: bigint) =>
    s.submitter.send({
        to: kind === 'charge' || kind === 'grantRefund' ? s.client.address : s.worker.address,
        value: toNano(kind === 'grantRefund' ? '1' : '0.5'),
        body: s.signed({ kind, queryId: 9n, newTokens, expectedMyAddress: kind === 'charge' || kind === 'grantRefund' ? s.client.address : s.worker.address }),
    });

/** Each flow: setup, then the measured action (from the sender's message on; the sender's own wallet excluded). */
const FLOWS: [string, (s: PaymentsSandbox) => Promise<SendMessageResult>][] = [
    ['client top-up (client → proxy → excess)', (s) => topUp(s)],
    ['charge (signed; client → proxy record)', async (s) => (await topUp(s), signed(s, 'charge', 1000n))],
    ['withdraw (client → proxy → payout + excess)', async (s) => (await topUp(s), owner(s, clientMessages.withdraw(2n, s.clientOwner.address)))],
    ['withdraw the proxy pays in part (→ payout + proxy_client_unpaid → client → owner)', async (s) => {
        await topUp(s, toNano('5'));
        await signed(s, 'payout', 45_000n);
        return owner(s, clientMessages.withdraw(2n, s.clientOwner.address));
    }],
    ['request_refund normal → closing (refund above the stake)', async (s) => (await topUp(s), owner(s, clientMessages.requestRefund(2n, s.clientOwner.address)))],
    ['forced refund (closing → closed)', async (s) => {
        await topUp(s);
        await owner(s, clientMessages.requestRefund(2n, s.clientOwner.address));
        s.blockchain.now = s.blockchain.now! + 3601;
        return owner(s, clientMessages.requestRefund(3n, s.clientOwner.address));
    }],
    ['grant-refund (signed; closes the client)', async (s) => (await topUp(s), signed(s, 'grantRefund', 1000n))],
    ['worker payout (worker → proxy → payout + excess)', async (s) => (await topUp(s), signed(s, 'payout', 1000n))],
    ['worker last payout (closes the worker)', async (s) => (await topUp(s), signed(s, 'lastPayout', 1000n))],
    ['worker payout the proxy cannot pay (→ proxy_worker_unpaid → worker → owner)', (s) => signed(s, 'payout', 20_000n)],
];

export async function measureFlows(): Promise<FlowFee[]> {
    const out: FlowFee[] = [];
    for (const [flow, run] of FLOWS) {
        const s = await paymentsSandbox();
        s.blockchain.now = Math.floor(Date.now() / 1000);
        // The first transaction is the sender's treasury wallet: not part of the flow.
        const txs = (await run(s)).transactions.slice(1);
        out.push({ flow, transactions: txs.length, fees: feesOf(txs) });
    }
    const f = await deployWallet();
    const r = await sendExternal(f, { seqno: 0, messages: [{ mode: 1, message: internalMessageCell({ to: f.stranger.address, value: toNano('0.1'), bounce: false }) }] });
    out.push({ flow: 'cocoon wallet external, one message', transactions: r.transactions.length, fees: feesOf(r.transactions) });
    return out;
}
