import { Command } from 'commander';

/** `cocoon attest …`: quote, certificate and measurement tools. Each subcommand is its own module in this folder. */
export function registerAttest(program: Command): void {
    program.command('attest').description('TDX quotes, RA-TLS certificates, image hashes and measurements');
}
