import { Command, InvalidArgumentError } from 'commander';
import { appendFileSync, mkdirSync } from 'fs';
import path from 'path';

function parsePort(v: string): number {
    const n = Number(v);
    if (!/^[0-9]+$/.test(v) || n > 65535) throw new InvalidArgumentError(`port must be an integer 0..65535, got '${v}'`);
    return n;
}

export interface UpOptions {
    endpoint?: string;
    clientPort: number;
    state?: string;
    engineUrl?: string;
    model?: string;
    demo?: boolean;
    logs?: string;
}

/**
 * `cocoon up` (what `npm start` runs): the whole network in this process until Ctrl-C; `--demo` sends one streaming
 * request, shows its receipt and the settlement on-chain, and exits.
 */
export function registerUp(program: Command): void {
    program
        .command('up')
        .description('run a whole local COCOON network: devnet, root, proxy, worker with the test engine, client with an OpenAI API')
        .option('--endpoint <url>', 'use this TON HTTP API v2 endpoint (e.g. testnet) instead of an in-process devnet; wallet keys derive from COCOON_UP_SEED')
        .option('--client-port <n>', 'port of the OpenAI-compatible API', parsePort, 8080)
        .option('--state <dir>', 'keep the chain and the databases in this folder across restarts')
        .option('--engine-url <url>', 'a real OpenAI-compatible engine (vLLM) instead of the test engine')
        .option('--model <name@commit:hash>', 'full model name served by --engine-url')
        .option('--logs <file>', 'write the services\' JSON logs here (default: <state>/services.log, or none)')
        .option('--demo', 'send one streaming request, show its receipt and the on-chain settlement, and exit')
        .action(async (o: UpOptions) => {
            if (o.engineUrl && !o.model) throw new InvalidArgumentError('--engine-url needs --model <name@commit:hash> (its SHA-256 goes into the root)');
            const { startNetwork } = await import('./up/network');
            const logFile = o.logs ?? (o.state ? path.join(o.state, 'services.log') : undefined);
            if (logFile) mkdirSync(path.dirname(path.resolve(logFile)), { recursive: true });
            const net = await startNetwork({
                endpoint: o.endpoint,
                seed: process.env.COCOON_UP_SEED || undefined,
                stateDir: o.state,
                clientPort: o.clientPort,
                engineUrl: o.engineUrl,
                model: o.model,
                progress: (line) => console.log(`· ${line}`),
                logSink: logFile ? (line) => appendFileSync(logFile, line + '\n') : () => {},
            });
            const { summaryLines } = await import('./up/summary');
            console.log('');
            for (const line of summaryLines(net)) console.log(line);
            if (o.demo) {
                const { runDemo } = await import('./up/demo');
                try {
                    await runDemo(net, (line) => console.log(line));
                } finally {
                    await net.stop();
                }
                return;
            }
            console.log('\nRunning until Ctrl-C.');
            await new Promise<void>((resolve, reject) => {
                const shutdown = (signal: string) => {
                    console.log(`\n${signal}: stopping the network${o.state ? ` (state kept in ${o.state})` : ''}…`);
                    // A failure goes to main's error boundary: one line, exit 1.
                    net.stop().then(resolve, (e) => reject(new Error(`stopping the network failed: ${(e as Error).message}`)));
                };
                process.once('SIGINT', () => shutdown('SIGINT'));
                process.once('SIGTERM', () => shutdown('SIGTERM'));
            });
        });
}
