import { Command } from 'commander';
import { acceptsTcb, QuoteReport, verifyQuote } from '../../attest';
import { KiB, readInputFile } from '../../runtime/inputFile';
import { CliInputError, EXIT_FAILED } from '../errors';
import { readCollateralFile } from './inputs';

/**
 * `cocoon attest quote <file>`: parse and verify a TDX quote (raw binary or hex text). Exit status: 0 the signature
 * chain is valid (and, with collateral, every collateral check passed and the TCB status is UpToDate), 1 it is not,
 * 2 bad input (unreadable or oversized file, odd-length hex, malformed collateral, bad --at; one line on stderr).
 */

/** A TDX quote is about 5 KB (8 KB with a long certificate chain); hex text doubles that. */
const MAX_QUOTE_BYTES = 256 * KiB;

/**
 * Hex text (whitespace and a 0x prefix allowed) is decoded; anything else is taken as the raw quote. Text made only
 * of hex digits but of odd length is a damaged hex file, not a binary quote.
 */
function quoteFromFile(data: Buffer, file: string): Uint8Array {
    const text = data.toString('latin1').replace(/\s+/g, '').replace(/^0x/i, '');
    if (text.length > 0 && /^[0-9a-fA-F]+$/.test(text)) {
        if (text.length % 2 !== 0) throw new CliInputError(`quote ${file} is hex text of odd length (${text.length} digits)`);
        return new Uint8Array(Buffer.from(text, 'hex'));
    }
    return new Uint8Array(data);
}

function parseAt(iso: string): Date {
    const at = new Date(iso);
    if (isNaN(at.getTime())) throw new CliInputError(`--at must be an ISO date-time, got "${iso}"`);
    return at;
}

function printText(r: QuoteReport, accepted: boolean): void {
    const out: string[] = [];
    for (const c of r.checks) out.push(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}${c.detail ? `: ${c.detail}` : ''}`);
    const fields = ['version', 'teeType', 'mrTd', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3', 'reportData', 'tdAttributes', 'debug', 'imageHash'] as const;
    for (const f of fields) if (r[f] !== undefined) out.push(`${f}: ${r[f]}`);
    if (r.collateralRootHash) out.push(`collateralRootHash: ${r.collateralRootHash}`);
    if (r.tcbStatus) out.push(`tcbStatus: ${r.tcbStatus}${r.advisoryIds?.length ? ` (${r.advisoryIds.join(', ')})` : ''}`);
    out.push(accepted ? 'verdict: valid' : 'verdict: NOT valid');
    process.stdout.write(`${out.join('\n')}\n`);
}

export function registerQuote(attest: Command): void {
    attest
        .command('quote <file>')
        .description('parse and verify a TDX quote (raw binary or hex): signature chain to the Intel root, TCB with collateral')
        .option('--collateral <json>', 'Intel collateral for the platform (PCS/PCCS v4 JSON: CRLs, TCB info, QE identity)')
        .option('--at <iso>', 'verify as of this time instead of now')
        .option('--json', 'print the verification report as JSON', false)
        .action((file: string, opts: { collateral?: string; at?: string; json: boolean }) => {
            const bytes = quoteFromFile(readInputFile(file, 'quote', MAX_QUOTE_BYTES), file);
            const collateral = opts.collateral ? readCollateralFile(opts.collateral) : undefined;
            const at = opts.at ? parseAt(opts.at) : undefined;
            const report = verifyQuote(bytes, { collateral, at });
            const accepted = report.signatureChainValid && (!collateral || acceptsTcb(report));
            if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
            else printText(report, accepted);
            if (!accepted) process.exitCode = EXIT_FAILED;
        });
}
