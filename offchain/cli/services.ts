import { Command } from 'commander';

interface Running {
    stop(): Promise<void>;
}

/** Starts one service from its config file and runs it until SIGINT/SIGTERM, which stop it cleanly. */
async function runService(name: string, start: () => Promise<Running>): Promise<void> {
    const { onShutdown, createLogger } = await import('../runtime');
    const log = createLogger({ component: `cocoon-${name}` });
    const service = await start();
    log.info(`${name} running; Ctrl-C or SIGTERM stops it`);
    await new Promise<void>((resolve) => {
        onShutdown(
            async () => {
                await service.stop();
                resolve();
            },
            { log },
        );
    });
}

/**
 * `cocoon proxy|worker|client --config F`: the services, each loading and validating its config (secrets from the
 * environment) before it starts; a bad field stops it at once with a message naming the field.
 */
export function registerServices(program: Command): void {
    program
        .command('proxy')
        .description('run the proxy service (routes requests to workers, settles payments)')
        .requiredOption('--config <file>', 'proxy config (JSON); the wallet seed may come from COCOON_PROXY_SEED')
        .action(async (o: { config: string }) => {
            const { ProxyService, proxyConfigSchema, PROXY_SECRETS } = await import('../proxy');
            const { loadConfig } = await import('../runtime');
            const config = loadConfig<import('../proxy').ProxyConfig>(o.config, proxyConfigSchema, { secrets: PROXY_SECRETS });
            await runService('proxy', () => ProxyService.start(config));
        });
    program
        .command('worker')
        .description('run the worker service in front of an OpenAI-compatible engine (vLLM)')
        .requiredOption('--config <file>', 'worker config (JSON); the wallet seed may come from COCOON_WORKER_SEED')
        .action(async (o: { config: string }) => {
            const { WorkerService, workerConfigSchema, WORKER_SECRETS } = await import('../worker');
            const { loadConfig } = await import('../runtime');
            const config = loadConfig<import('../worker').WorkerConfig>(o.config, workerConfigSchema, { secrets: WORKER_SECRETS });
            await runService('worker', () => WorkerService.start(config));
        });
    program
        .command('client')
        .description('run the client service: verified, paid access to COCOON behind an OpenAI-compatible API')
        .requiredOption('--config <file>', 'client config (JSON); secrets may come from COCOON_CLIENT_SEED, COCOON_CLIENT_SECRET, …')
        .action(async (o: { config: string }) => {
            const { ClientService, clientConfigSchema, CLIENT_SECRETS } = await import('../client');
            const { loadConfig } = await import('../runtime');
            const config = loadConfig<import('../client').ClientConfig>(o.config, clientConfigSchema, { secrets: CLIENT_SECRETS });
            await runService('client', () => ClientService.start(config));
        });
}
