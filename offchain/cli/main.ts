import { Command, CommanderError } from 'commander';
import { readFileSync } from 'fs';
import path from 'path';
import { registerAttest } from './attest';
import { registerClientContract } from './clientContract';
import { registerDevnet } from './devnet';
import { EXIT_BAD_INPUT, exitCodeOf, oneLine } from './errors';
import { registerRegistry } from './registry';
import { registerReputation } from './reputation';
import { registerServices } from './services';
import { registerUp } from './up';
import { registerWallet } from './wallet';

/** A usage error commander found, with the (sub)command it was parsing, so the message can point at its --help. */
class UsageError extends Error {
    constructor(
        message: string,
        readonly commandPath: string,
    ) {
        super(message);
    }
}

function commandPath(command: Command): string {
    const names: string[] = [];
    for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
    return names.join(' ');
}

/**
 * Builds the `cocoon` program. Each subcommand lives in its own module beside this one and is registered here;
 * commands that need the compiled contracts or a service load them inside their action, so `cocoon --help` and
 * `cocoon devnet` work before the contracts are built. Subcommands inherit the settings made before they are added:
 * commander reports usage errors by throwing (to main's boundary) instead of printing and exiting itself.
 */
export function buildProgram(): Command {
    const program = new Command('cocoon');
    const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    program
        .description('COCOON: confidential AI inference on TON')
        .version(version, '-V, --version', 'print the version')
        .configureOutput({ outputError: () => {} })
        .exitOverride(function (this: Command, err: CommanderError) {
            // Help and version requests "exit" with 0; --help output was already written.
            if (err.exitCode === 0 || err.code === 'commander.help') throw err;
            throw new UsageError(err.message.replace(/^error: /, ''), commandPath(this));
        });
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

/**
 * The one error boundary of every command: a failure is one line on stderr, `cocoon: <message>`, never a stack, and
 * the exit code of docs/cli.md's table (errors.ts).
 */
export async function main(argv: string[]): Promise<void> {
    try {
        await buildProgram().parseAsync(argv);
    } catch (e) {
        if (e instanceof CommanderError && (e.exitCode === 0 || e.code === 'commander.help')) {
            // A help request exits 0; help shown because a subcommand is missing (`cocoon attest`) is bad usage.
            process.exitCode = e.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
            return;
        }
        if (e instanceof UsageError || e instanceof CommanderError) {
            // The latter: an action's own InvalidArgumentError (e.g. `up --engine-url` without --model).
            const hint = e instanceof UsageError ? ` (see ${e.commandPath} --help)` : '';
            console.error(`cocoon: ${oneLine(e).replace(/^error: /, '')}${hint}`);
            process.exitCode = EXIT_BAD_INPUT;
            return;
        }
        console.error(`cocoon: ${oneLine(e)}`);
        process.exitCode = exitCodeOf(e);
    }
}
