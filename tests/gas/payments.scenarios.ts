// Gas of every proxy, client and worker op, each measured on a fresh sandbox with real contracts.
import { Address, toNano } from '@ton/core';
import { SendMessageResult } from '@ton/sandbox';
import { GasScenario } from './reference';
import { computeGas } from './measure';
import { paymentsSandbox, PaymentsSandbox } from '../contracts/payments.setup';
import { clientMessages } from '../../wrappers/client';
import { workerMessages } from '../../wrappers/worker';
import { proxyMessages } from '../../wrappers/proxy';

/** Gas of the successful transaction(s) on `on` in `r`. */
function gasOn(r: SendMessageResult, on: Address): bigint[] {
    const txs = r.transactions.filter((t) => t.inMessage?.info.dest?.toString() === on.toString());
    const ok = txs.filter((t) => t.description.type === 'generic' && t.description.computePhase.type === 'vm' && t.description.computePhase.success);
    if (ok.length === 0) throw new Error(`no successful transaction on ${on.toString()}`);
    return ok.map(computeGas);
}

async function topUp(s: PaymentsSandbox, amount = toNano('10')) {
    return s.clientOwner.send({
        to: s.client.address,
        value: amount + toNano('0.7'),
        body: clientMessages.topUp(1n, amount, s.clientOwner.address),
    });
}

const ownerOp = (body: (s: PaymentsSandbox) => ReturnType<typeof clientMessages.withdraw>, prepare?: (s: PaymentsSandbox) => Promise<unknown>) =>
    async (s: PaymentsSandbox) => {
        await prepare?.(s);
        return s.clientOwner.send({ to: s.client.address, value: toNano('0.7'), body: body(s) });
    };

/** A top-up, then a signed charge or grant-refund of 1000 tokens. */
const signedAfterTopUp = (kind: 'charge' | 'grantRefund', value: bigint) => async (s: PaymentsSandbox) => {
    await topUp(s);
    return s.submitter.send({
        to: s.client.address,
        value,
        body: s.signed({ kind, queryId: 2n, newTokens: 1000n, expectedMyAddress: s.client.address }),
    });
};
const charged = signedAfterTopUp('charge', toNano('0.7'));
const grantRefund = signedAfterTopUp('grantRefund', toNano('1'));

async function forceRefund(s: PaymentsSandbox) {
    await topUp(s);
    await s.proxyOwner.send({ to: s.proxy.address, value: toNano('5.2'), body: proxyMessages.increaseStake(1n, toNano('5'), s.proxyOwner.address) });
    await s.clientOwner.send({ to: s.client.address, value: toNano('0.7'), body: clientMessages.requestRefund(4n, s.clientOwner.address) });
    s.blockchain.now = Math.floor(Date.now() / 1000) + 7200;
    return s.clientOwner.send({ to: s.client.address, value: toNano('0.7'), body: clientMessages.requestRefund(5n, s.clientOwner.address) });
}

async function workerPayout(s: PaymentsSandbox, kind: 'payout' | 'lastPayout' = 'payout') {
    await topUp(s);
    return s.submitter.send({
        to: s.worker.address,
        value: toNano('0.5'),
        body: s.signed({ kind, queryId: 6n, newTokens: 1000n, expectedMyAddress: s.worker.address }),
    });
}

async function closing(s: PaymentsSandbox) {
    return s.submitter.send({
        to: s.proxy.address,
        value: toNano('1'),
        body: s.signed({ kind: 'closeRequest', queryId: 7n, expectedMyAddress: s.proxy.address }),
    });
}

const on = (target: 'client' | 'proxy' | 'worker', act: (s: PaymentsSandbox) => Promise<SendMessageResult>) => async () => {
    const s = await paymentsSandbox();
    s.blockchain.now = Math.floor(Date.now() / 1000);
    return gasOn(await act(s), s[target].address);
};

export const scenarios: GasScenario[] = [
    { op: 'ext_client_top_up', run: on('client', (s) => topUp(s)) },
    { op: 'ext_client_charge_signed', run: on('client', charged) },
    { op: 'ext_client_grant_refund_signed', run: on('client', grantRefund) },
    { op: 'owner_client_register', run: on('client', ownerOp((s) => clientMessages.register(1n, 42n, s.clientOwner.address))) },
    {
        op: 'owner_client_change_secret_hash',
        run: on('client', ownerOp((s) => clientMessages.changeSecretHash(1n, 0x1234n, s.clientOwner.address))),
    },
    {
        op: 'owner_client_increase_stake',
        run: on('client', ownerOp((s) => clientMessages.increaseStake(1n, toNano('2'), s.clientOwner.address))),
    },
    { op: 'owner_client_withdraw', run: on('client', ownerOp((s) => clientMessages.withdraw(1n, s.clientOwner.address), topUp)) },
    {
        op: 'owner_client_request_refund',
        note: 'normal → closing, refunding the balance above the stake',
        run: on('client', ownerOp((s) => clientMessages.requestRefund(1n, s.clientOwner.address), topUp)),
    },
    { op: 'client_proxy_request_top_up', run: on('proxy', (s) => topUp(s)) },
    { op: 'client_proxy_request_refund_granted', run: on('proxy', grantRefund) },
    { op: 'client_proxy_request_refund_force', run: on('proxy', forceRefund) },
    { op: 'worker_proxy_request_payout', run: on('proxy', (s) => workerPayout(s)) },
    {
        op: 'ext_proxy_payout_request',
        run: on('proxy', (s) => s.submitter.send({ to: s.proxy.address, value: toNano('0.2'), body: proxyMessages.payoutRequest(1n, s.submitter.address) })),
    },
    {
        op: 'ext_proxy_increase_stake',
        run: on('proxy', (s) =>
            s.submitter.send({ to: s.proxy.address, value: toNano('1.2'), body: proxyMessages.increaseStake(1n, toNano('1'), s.submitter.address) }),
        ),
    },
    {
        op: 'owner_proxy_close',
        run: on('proxy', (s) => s.proxyOwner.send({ to: s.proxy.address, value: toNano('0.2'), body: proxyMessages.ownerClose(1n, s.proxyOwner.address) })),
    },
    { op: 'ext_proxy_close_request_signed', run: on('proxy', closing) },
    {
        op: 'ext_proxy_close_complete_request_signed',
        run: on('proxy', async (s) => {
            await closing(s);
            s.blockchain.now = s.blockchain.now! + 3601;
            return s.submitter.send({
                to: s.proxy.address,
                value: toNano('1'),
                body: s.signed({ kind: 'closeComplete', queryId: 8n, expectedMyAddress: s.proxy.address }),
            });
        }),
    },
    { op: 'ext_worker_payout_request_signed', run: on('worker', (s) => workerPayout(s)) },
    { op: 'ext_worker_last_payout_request_signed', run: on('worker', (s) => workerPayout(s, 'lastPayout')) },
    {
        op: 'owner_worker_register',
        run: on('worker', (s) => s.workerOwner.send({ to: s.worker.address, value: toNano('0.2'), body: workerMessages.register(1n, s.workerOwner.address) })),
    },
];
