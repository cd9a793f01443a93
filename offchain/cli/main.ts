import { Command } from 'commander';
import { registerAttest } from './attest';
import { registerClientContract } from './clientContract';
import { registerDevnet } from './devnet';
import { registerRegistry } from './registry';
import { registerReputation } from './reputation';
import { registerServices } from './services';
import { registerUp } from './up';
import { registerWallet } from './wallet';

/**
 * Builds the `cocoon` program. Each subcommand lives in its own module beside this one and is registered here;
 * commands that need the compiled contracts or a service load them inside their action, so `cocoon --help` and
 * `cocoon devnet` work before the contracts are built.
 */
export function buildProgram(): Command {
    const program = new Command('cocoon');
    program.description('COCOON: confidential AI inference on TON').showHelpAfterError();
    registerUp(program);
    registerServices(program);
    registerRegistry(program);
    registerReputation(program);
    registerWallet(program);
    registerClientContract(program);
    registerAttest(program);
    registerDevnet(program);
    return program;
}

/** Bad input (a config field, an argument) exits 2; any other failure 1; both in one line on stderr. */
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

export async function main(argv: string[]): Promise<void> {
    try {
        await buildProgram().parseAsync(argv);
    } catch (e) {
        const err = e as Error;
        const badInput = ['ConfigError', 'CliInputError', 'KeyFormatError', 'NetworkSetupError'].includes(err?.name);
        console.error(`cocoon: ${err?.message ?? String(e)}`);
        process.exitCode = badInput ? EXIT_BAD_INPUT : EXIT_FAILED;
    }
}
