import { Command } from 'commander';
import type { ConfigSchema } from '../runtime';

interface Running {
    stop(): Promise<void>;
}

/** What `cocoon <role> --config F` needs of a service: its schema, its secret variables and how to start it. */
interface ServiceEntry {
    schema: ConfigSchema;
    secrets: Record<string, string>;
    start(config: unknown): Promise<Running>;
}

const SERVICES: { role: string; description: string; config: string; load(): Promise<ServiceEntry> }[] = [
    {
        role: 'proxy',
        description: 'run the proxy service (routes requests to workers, settles payments)',
        config: 'proxy config (JSON); the wallet seed may come from COCOON_PROXY_SEED',
        load: async () => {
            const m = await import('../proxy');
            return { schema: m.proxyConfigSchema, secrets: m.PROXY_SECRETS, start: (c) => m.ProxyRunner.start(c as import('../proxy').ProxyConfig) };
        },
    },
    {
        role: 'worker',
        description: 'run the worker service in front of an OpenAI-compatible engine (vLLM)',
        config: 'worker config (JSON); the wallet seed may come from COCOON_WORKER_SEED',
        load: async () => {
            const m = await import('../worker');
            return { schema: m.workerConfigSchema, secrets: m.WORKER_SECRETS, start: (c) => m.WorkerService.start(c) };
        },
    },
    {
        role: 'client',
        description: 'run the client service: verified, paid access to COCOON behind an OpenAI-compatible API',
        config: 'client config (JSON); secrets may come from COCOON_CLIENT_SEED, COCOON_CLIENT_SECRET, …',
        load: async () => {
            const m = await import('../client');
            return { schema: m.clientConfigSchema, secrets: m.CLIENT_SECRETS, start: (c) => m.ClientService.start(c) };
        },
    },
];

/**
 * `cocoon proxy|worker|client --config F`: each service loads and validates its config (secrets from the
 * environment) before it starts, so a bad field stops it at once with a message naming the field; then it runs
 * until SIGINT/SIGTERM, which stop it cleanly. Services are loaded lazily: `cocoon --help` needs no build.
 */
export function registerServices(program: Command): void {
    for (const s of SERVICES) {
        program
            .command(s.role)
            .description(s.description)
            .requiredOption('--config <file>', s.config)
            .action(async (o: { config: string }) => {
                const { createLogger, loadConfig, onShutdown } = await import('../runtime');
                const service = await s.load();
                const config = loadConfig(o.config, service.schema, { secrets: service.secrets });
                const log = createLogger({ component: `cocoon-${s.role}` });
                const running = await service.start(config);
                log.info(`${s.role} running; Ctrl-C or SIGTERM stops it`);
                await new Promise<void>((resolve) => onShutdown(() => running.stop().then(resolve), { log }));
            });
    }
}
