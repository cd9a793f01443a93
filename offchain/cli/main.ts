import { Command } from 'commander';
import { registerAttest } from './attest';
import { registerDevnet } from './devnet';

/** Builds the `cocoon` program. Each subcommand lives in its own module beside this one and is registered here. */
export function buildProgram(): Command {
    const program = new Command('cocoon');
    program.description('COCOON: confidential AI inference on TON').showHelpAfterError();
    registerAttest(program);
    registerDevnet(program);
    return program;
}

export async function main(argv: string[]): Promise<void> {
    await buildProgram().parseAsync(argv);
}
