import { Command, InvalidArgumentError } from 'commander';
import { Devnet } from '../devnet';

function parsePort(v: string): number {
    const n = Number(v);
    if (!/^[0-9]+$/.test(v) || n > 65535) throw new InvalidArgumentError(`port must be an integer 0..65535, got '${v}'`);
    return n;
}

function parseSpeed(v: string): number {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`speed must be a positive number, got '${v}'`);
    return n;
}

/** `cocoon devnet`: the local TON network (sandbox behind toncenter's API v2) until SIGINT/SIGTERM. */
export function registerDevnet(program: Command): void {
    program
        .command('devnet')
        .description('run a local TON network serving the TON HTTP API v2 (toncenter) and a faucet, until Ctrl-C')
        .requiredOption('--port <n>', 'port to listen on (0 picks a free one)', parsePort)
        .option('--state <file>', 'keep the chain in this file (created if missing; its folder must exist): every transaction is written as it executes, and a restart goes on from it')
        .option('--speed <factor>', 'clock speed-up factor', parseSpeed, 1)
        .option('--host <addr>', 'address to bind', '127.0.0.1')
        .option('--quiet', 'do not log each transaction')
        .action(async (opts: { port: number; state?: string; speed: number; host: string; quiet?: boolean }) => {
            const log = (line: string) => {
                if (!opts.quiet || !line.startsWith('tx ')) console.log(line);
            };
            // A damaged or misplaced --state is bad input (exit 2), a busy port a failure (1): main's boundary says which.
            const devnet = await Devnet.start({ port: opts.port, host: opts.host, statePath: opts.state, speed: opts.speed, log });
            console.log(`Devnet API: ${devnet.endpoint}`);
            console.log(`Faucet: POST ${devnet.faucetUrl} {"address": "...", "amount": "<nanoTON>"}`);
            await new Promise<void>((resolve, reject) => {
                const shutdown = (signal: string) => {
                    console.log(`devnet: ${signal}, stopping${opts.state ? ` and saving to ${opts.state}` : ''}`);
                    devnet.stop().then(resolve, (e) => reject(new Error(`saving the state failed: ${(e as Error).message}`)));
                };
                process.once('SIGINT', () => shutdown('SIGINT'));
                process.once('SIGTERM', () => shutdown('SIGTERM'));
            });
        });
}
