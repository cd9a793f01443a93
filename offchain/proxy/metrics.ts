import type { Counter, Gauge } from 'prom-client';
import { createMetrics, type Metrics } from '../runtime';

/** The proxy's Prometheus metrics (its own registry, so many proxies can run in one process). */
export interface ProxyMetrics {
    metrics: Metrics;
    requests: Counter<'outcome'>;
    running: Gauge;
    workers: Gauge;
    clients: Gauge;
    tokens: Counter;
    outboxPending: Gauge;
    saveStateSeqno: Gauge;
    workerRequests: Counter<'worker' | 'outcome'>;
}

export function createProxyMetrics(): ProxyMetrics {
    const m = createMetrics('cocoon_proxy');
    return {
        metrics: m,
        requests: m.counter('requests_total', 'Finished client requests by outcome (ok or the error code)', ['outcome']),
        running: m.gauge('running_requests', 'Requests in flight'),
        workers: m.gauge('workers_connected', 'Worker connections past their handshake'),
        clients: m.gauge('clients_connected', 'Client connections past their authorization'),
        tokens: m.counter('tokens_accounted_total', 'Adjusted tokens accounted to clients (and workers)'),
        outboxPending: m.gauge('outbox_pending', 'On-chain messages not settled yet'),
        saveStateSeqno: m.gauge('save_state_seqno', 'Seqno of the newest save-state record confirmed on-chain'),
        workerRequests: m.counter('worker_requests_total', 'Attempts per worker contract by outcome', ['worker', 'outcome']),
    };
}
