import { createLogger, type Logger } from '../runtime';
import type { ProxyConfig } from './config';
import { ProxyService, type ProxyDeps } from './proxyService';
import type { SettleReport } from './settlement';

const RETRY_MS = 5000;

/**
 * A proxy as an operator runs it: one ProxyService per params generation. When the root's params change, the
 * running generation hands over its final counts and stops; the next one starts on the same ports with the new
 * contract and retires the old one (ProxyService's Retirements). Clients and workers reconnect and move to the new
 * contract by themselves.
 */
export class ProxyRunner {
    private switching: Promise<void> | null = null;
    private stopped = false;
    private readonly log: Logger;

    private constructor(
        private readonly config: ProxyConfig,
        private readonly deps: ProxyDeps,
        private service: ProxyService,
    ) {
        this.log = createLogger({ component: 'proxy', sink: deps.logSink });
    }

    static async start(config: ProxyConfig, deps: ProxyDeps = {}): Promise<ProxyRunner> {
        let runner: ProxyRunner | undefined;
        const onOutdated = () => runner?.nextGeneration();
        const service = await ProxyService.start(config, { ...deps, onOutdated });
        runner = new ProxyRunner(config, { ...deps, onOutdated }, service);
        return runner;
    }

    /** The generation serving now. */
    get current(): ProxyService {
        return this.service;
    }

    get ports() {
        return this.service.ports;
    }

    get contractAddress() {
        return this.service.contractAddress;
    }

    get walletAddress() {
        return this.service.walletAddress;
    }

    status() {
        return this.service.status();
    }

    settle(): Promise<SettleReport> {
        return this.service.settle();
    }

    publishReputation() {
        return this.service.publishReputation();
    }

    /** Resolves once a generation switch in progress (if any) has finished. */
    async settled(): Promise<void> {
        await this.switching;
    }

    private nextGeneration(): void {
        if (this.switching || this.stopped) return;
        this.switching = this.switchGeneration().finally(() => (this.switching = null));
    }

    private async switchGeneration(): Promise<void> {
        const ports = this.service.ports;
        const handover = await this.service.handOver();
        // the same ports: the root's registry and every peer know the proxy by them
        const config: ProxyConfig = {
            ...this.config,
            listen: { workers: { ...this.config.listen.workers, port: ports.workers }, clients: { ...this.config.listen.clients, port: ports.clients } },
            ops: { ...this.config.ops, port: ports.ops },
        };
        while (!this.stopped) {
            try {
                this.service = await ProxyService.start(config, { ...this.deps, handover });
                this.log.info('proxy serving a new params generation', { contract: this.service.contractAddress.toRawString() });
                return;
            } catch (e) {
                this.log.error('starting the new params generation failed: retrying', { error: e, retryInMs: RETRY_MS });
                await new Promise((r) => setTimeout(r, RETRY_MS));
            }
        }
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await this.switching;
        await this.service.stop();
    }
}
