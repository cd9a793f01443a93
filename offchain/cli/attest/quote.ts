import { Command } from 'commander';
import * as fs from 'fs';
import { acceptsTcb, Collateral, parseCollateral, QuoteReport, verifyQuote } from '../../attest';

/**
 * `cocoon attest quote <file>`: parse and verify a TDX quote (raw binary or hex text). Exit status: 0 the signature
 * chain is valid (and, with collateral, every collateral check passed and the TCB status is UpToDate), 1 it is not,
 * 2 bad input (unreadable file, malformed collateral, bad --at; message on stderr).
 */

const EXIT_INVALID = 1;
const EXIT_BAD_INPUT = 2;

class InputError extends Error {}

function read(file: string, what: string): Buffer {
    try {
        return fs.readFileSync(file);
    } catch (e) {
        throw new InputError(`cannot read ${what} ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
}

/** Hex text (whitespace and a 0x prefix allowed) is decoded; anything else is taken as the raw quote. */
export function quoteFromFile(data: Buffer): Uint8Array {
    const text = data.toString('latin1').replace(/\s+/g, '').replace(/^0x/i, '');
    if (text.length > 0 && text.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(text)) return new Uint8Array(Buffer.from(text, 'hex'));
    return new Uint8Array(data);
}

function loadCollateral(file: string): Collateral {
    try {
        return parseCollateral(read(file, 'collateral').toString('utf8'));
    } catch (e) {
        throw e instanceof InputError ? e : new InputError(`collateral ${file}: ${(e as Error).message}`);
    }
}

function parseAt(iso: string): Date {
    const at = new Date(iso);
    if (isNaN(at.getTime())) throw new InputError(`--at must be an ISO date-time, got "${iso}"`);
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
            try {
                const bytes = quoteFromFile(read(file, 'quote'));
                const collateral = opts.collateral ? loadCollateral(opts.collateral) : undefined;
                const at = opts.at ? parseAt(opts.at) : undefined;
                const report = verifyQuote(bytes, { collateral, at });
                const accepted = report.signatureChainValid && (!collateral || acceptsTcb(report));
                if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
                else printText(report, accepted);
                if (!accepted) process.exitCode = EXIT_INVALID;
            } catch (e) {
                if (!(e instanceof InputError)) throw e;
                process.stderr.write(`error: ${e.message}\n`);
                process.exitCode = EXIT_BAD_INPUT;
            }
        });
}
