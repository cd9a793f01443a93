import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
    /** Process metrics (CPU, memory, event loop); for the one CLI process, not for each service instance. */
    defaultMetrics?: boolean;
    /** Labels added to every metric, e.g. `{ instance: 'worker-1' }`. */
    labels?: Record<string, string>;
}

/** A registry of its own with helpers that name metrics `<prefix>_<name>` and register them there. */
export interface Metrics {
    readonly registry: Registry;
    counter<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
    gauge<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
    histogram<L extends string = never>(name: string, help: string, labelNames?: readonly L[], buckets?: number[]): Histogram<L>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Metrics for one service instance. Each gets its own registry, never prom-client's global one, because many
 * instances run in one process (tests, `cocoon up`) and would otherwise clash on metric names.
 */
export function createMetrics(prefix: string, opts: MetricsOptions = {}): Metrics {
    if (!METRIC_NAME.test(prefix)) throw new RangeError(`metric prefix '${prefix}' is not a valid Prometheus name`);
    const registry = new Registry();
    if (opts.labels) registry.setDefaultLabels(opts.labels);
    if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: `${prefix}_` });
    const named = (name: string) => {
        const full = `${prefix}_${name}`;
        if (!METRIC_NAME.test(full)) throw new RangeError(`metric name '${full}' is not a valid Prometheus name`);
        return full;
    };
    return {
        registry,
        counter: (name, help, labelNames = []) => new Counter({ name: named(name), help, labelNames, registers: [registry] }),
        gauge: (name, help, labelNames = []) => new Gauge({ name: named(name), help, labelNames, registers: [registry] }),
        histogram: (name, help, labelNames = [], buckets) =>
            new Histogram({ name: named(name), help, labelNames, registers: [registry], ...(buckets ? { buckets } : {}) }),
    };
}
