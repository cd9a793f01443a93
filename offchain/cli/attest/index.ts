import { Command } from 'commander';
import { registerCert } from './cert';
import { registerGenCert } from './genCert';
import { registerMeasure } from './measure';
import { registerQuote } from './quote';

/** `cocoon attest …`: quote, certificate and measurement tools. Each subcommand is its own module in this folder. */
export function registerAttest(program: Command): void {
    const attest = program.command('attest').description('TDX quotes, RA-TLS certificates, image hashes and measurements');
    registerMeasure(attest);
    registerGenCert(attest);
    registerCert(attest);
    registerQuote(attest);
}
