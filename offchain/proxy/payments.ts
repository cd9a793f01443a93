import type { ClientPayment, WorkerPayment } from '../protocol';
import { clientLedger, workerLedger, type ClientAccount, type WorkerAccount } from './accounts';
import type { ProxyContext } from './context';

/** `proxy.payment` for a client: its counters and the newest signed charge. */
export function clientPayment(ctx: ProxyContext, a: ClientAccount): ClientPayment {
    return { type: 'proxy.payment', ledger: clientLedger(a, ctx.prices, ctx.ledger.signedPayment(a)) };
}

/** `proxy.payment` for a worker: its counters and the newest signed payout. */
export function workerPayment(ctx: ProxyContext, a: WorkerAccount): WorkerPayment {
    return { type: 'proxy.payment', ledger: workerLedger(a, ctx.ledger.signedPayment(a)) };
}
