import { Command } from 'commander';
import { registerMeasure } from './measure';

/** `cocoon attest …`: quote, certificate and measurement tools. Each subcommand is its own module in this folder. */
export function registerAttest(program: Command): void {
    const attest = program.command('attest').description('TDX quotes, RA-TLS certificates, image hashes and measurements');
    registerMeasure(attest);
}
