// The fee of each flow the services send through a CocoonWallet (charge, top-up, payout, save-state, reputation
// snapshot), measured in the payments sandbox from the wallet's external message to the last transaction it causes,
// with the compute gas of the contract op the flow is named for.
import { Address, toNano, Transaction } from '@ton/core';
import { SendMessageResult } from '@ton/sandbox';
import { paymentsSandbox, PaymentsSandbox } from '../../../tests/contracts/payments.setup';
import { proxyKeys } from '../../../tests/contracts/payments.fixtures';
import { computeGas } from '../../../tests/gas/measure';
import { deployProxyWallet, sendFromWallet } from '../../../tests/gas/walletSend';
import { measureSnapshotFee } from '../../../tests/gas/reputationFees';
import { clientMessages } from '../../../wrappers/client';
import { saveStateBody } from '../../../wrappers/proxy';
import { signEnvelope } from '../../../wrappers/signing';
import { CHARGE_VALUE, PAYOUT_VALUE } from '../../../offchain/proxy/settlement';
import { feesOf } from '../../demo/ledger';

export interface WalletFlowFee {
    flow: string;
    transactions: number;
    /** nanoTON, every transaction's total fees plus every internal message's forwarding fee. */
    fees: bigint;
    /** The same fees per transaction, in execution order (the wallet's first). */
    parts: bigint[];
    /** Compute gas of the contract op the flow is named for (null: the contract does not run it, or not measured). */
    gas: bigint | null;
}

/** A client's top-up as the client service sends it: 5 TON (its default) plus 0.12 TON for the op. */
const TOP_UP = toNano('5');

/** Compute gas on `on`; null when its compute phase was skipped (a 1-nanoTON record such as a save-state is not run). */
function gasOn(txs: Transaction[], on: Address): bigint | null {
    const tx = txs.find((t) => t.inMessage?.info.dest instanceof Address && t.inMessage.info.dest.equals(on));
    if (!tx) throw new Error(`no transaction on ${on.toString()}`);
    return tx.description.type === 'generic' && tx.description.computePhase.type === 'skipped' ? null : computeGas(tx);
}

type Flow = (s: PaymentsSandbox, wallet: Address) => Promise<{ r: SendMessageResult; on: Address }>;

const signed = (wallet: Address, kind: 'charge' | 'payout', to: Address) =>
    signEnvelope({ kind, queryId: 9n, newTokens: 1_000_000n, expectedMyAddress: to }, proxyKeys.secretKey, wallet);
const fundClient = (s: PaymentsSandbox) => s.clientOwner.send({ to: s.client.address, value: TOP_UP + toNano('0.7'), body: clientMessages.topUp(1n, TOP_UP, s.clientOwner.address) });

const FLOWS: [string, Flow][] = [
    ['charge', async (s, w) => {
        await fundClient(s);
        return { r: await sendFromWallet(s, w, 0, { to: s.client.address, value: CHARGE_VALUE, bounce: true, body: signed(w, 'charge', s.client.address) }), on: s.client.address };
    }],
    ['top-up', async (s, w) => ({
        r: await sendFromWallet(s, w, 0, { to: s.client.address, value: TOP_UP + toNano('0.12'), bounce: true, body: clientMessages.topUp(2n, TOP_UP, w) }),
        on: s.client.address,
    })],
    ['payout', async (s, w) => {
        await fundClient(s);
        return { r: await sendFromWallet(s, w, 0, { to: s.worker.address, value: PAYOUT_VALUE, bounce: true, body: signed(w, 'payout', s.worker.address) }), on: s.worker.address };
    }],
    ['save-state', async (s, w) => ({
        r: await sendFromWallet(s, w, 0, { to: s.proxy.address, value: 1n, bounce: false, body: saveStateBody({ queryId: 3n, seqno: 1, sessionHash: 0x5eedn }) }),
        on: s.proxy.address,
    })],
];

/** Each flow in a fresh sandbox; the reputation snapshot with `snapshotWorkers` workers (tests/gas/reputationFees.ts). */
export async function measureWalletFlows(snapshotWorkers: number): Promise<WalletFlowFee[]> {
    const out: WalletFlowFee[] = [];
    for (const [flow, run] of FLOWS) {
        const s = await paymentsSandbox();
        s.blockchain.now = Math.floor(Date.now() / 1000);
        const wallet = await deployProxyWallet(s);
        const { r, on } = await run(s, wallet.address);
        out.push({ flow, transactions: r.transactions.length, fees: feesOf(r.transactions), parts: r.transactions.map((t) => feesOf([t])), gas: gasOn(r.transactions, on) });
    }
    const snapshot = await measureSnapshotFee(snapshotWorkers);
    out.push({ flow: `reputation snapshot (${snapshotWorkers} workers)`, transactions: snapshot.transactions, fees: snapshot.publishFee, parts: [], gas: null });
    return out;
}
