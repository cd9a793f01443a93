import { Command } from 'commander';
import * as fs from 'fs';
import { parseCollateral, type Collateral } from '../../attest';
import { RatlsError } from '../../ratls/errors';
import { countPemCertificates, pemToDer } from '../../ratls/parseCertificate';
import { PeerVerifier } from '../../ratls/peerVerifier';
import { PROVIDER_NAMES, firstFailure, type ProviderName, type RatlsReport } from '../../ratls/report';
import { attestQuoteVerifier } from '../../ratls/tdxQuoteVerifier';

/** Exit status: 0 accepted, 1 rejected by the policy, 2 bad input (unreadable file, no certificate, bad option). */
const EXIT_REJECTED = 1;
const EXIT_BAD_INPUT = 2;

interface CertOptions {
    json: boolean;
    provider: string;
    imageHash?: string[];
    collateral?: string;
    at?: string;
}

class BadInput extends RatlsError {}

/** `cocoon attest cert <pem>`: verify an RA-TLS certificate against a policy given by options and print the report. */
export function registerCert(attest: Command): void {
    attest
        .command('cert <pem>')
        .description('verify an RA-TLS certificate and print its report (exit 0 accepted, 1 rejected, 2 bad input)')
        .option('--json', 'print the report as JSON', false)
        .option('--provider <list>', `accepted quote providers, comma-separated (${PROVIDER_NAMES.join(', ')})`, 'tdx')
        .option('--image-hash <hex...>', 'allowed image hashes (default: any)')
        .option('--collateral <json>', 'Intel collateral for the quote (then TCB status UpToDate is required)')
        .option('--at <time>', 'verify at this ISO time instead of now')
        .action(async (pem: string, opts: CertOptions) => {
            let report: RatlsReport;
            try {
                report = await verifyCertFile(pem, opts);
            } catch (e) {
                if (!(e instanceof RatlsError)) throw e;
                process.stderr.write(`error: ${e.message}\n`);
                process.exitCode = EXIT_BAD_INPUT;
                return;
            }
            process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
            if (!report.ok) process.exitCode = EXIT_REJECTED;
        });
}

async function verifyCertFile(file: string, opts: CertOptions): Promise<RatlsReport> {
    const providers = opts.provider.split(',').map((p) => p.trim());
    for (const p of providers) if (!(PROVIDER_NAMES as readonly string[]).includes(p)) throw new BadInput(`unknown provider "${p}" (expected ${PROVIDER_NAMES.join(', ')})`);
    const at = opts.at === undefined ? new Date() : new Date(opts.at);
    if (Number.isNaN(at.getTime())) throw new BadInput(`--at "${opts.at}" is not a time`);
    const hashes = opts.imageHash?.map((h) => h.toLowerCase());
    for (const h of hashes ?? []) if (!/^[0-9a-f]{64}$/.test(h)) throw new BadInput(`image hash "${h}" must be 64 hex digits`);
    const collateral = opts.collateral === undefined ? undefined : readCollateral(opts.collateral);
    const pem = readText(file, 'certificate');
    const count = countPemCertificates(pem);
    if (count === 0) throw new BadInput(`${file} holds no PEM certificate`);
    const verifier = new PeerVerifier({
        policy: {
            name: 'cli',
            production: false,
            providers: providers as ProviderName[],
            imageHashes: hashes && (() => hashes),
            minTcbStatus: collateral ? 'UpToDate' : undefined,
        },
        verifyTdxQuote: attestQuoteVerifier({ collateralFor: () => collateral }),
        cache: false,
        clock: () => at,
    });
    return verifier.verify(pemToDer(pem), { chainLength: count });
}

function formatReport(report: RatlsReport): string {
    const lines = [`certificate ${report.fingerprint}`];
    if (report.provider) lines.push(`provider ${report.provider}`, `valid ${report.notBefore} .. ${report.notAfter}`);
    if (report.quote) lines.push(`image hash ${report.quote.imageHash}`);
    for (const c of report.checks) lines.push(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.detail ? `: ${c.detail}` : ''}`);
    const failed = firstFailure(report);
    lines.push(failed ? `rejected: ${failed.name}: ${failed.detail ?? 'failed'}` : 'accepted');
    return `${lines.join('\n')}\n`;
}

function readText(file: string, what: string): string {
    try {
        return fs.readFileSync(file, 'utf8');
    } catch (e) {
        throw new BadInput(`cannot read ${what} ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
}

function readCollateral(file: string): Collateral {
    try {
        return parseCollateral(readText(file, 'collateral'));
    } catch (e) {
        if (e instanceof BadInput) throw e;
        throw new BadInput(`collateral ${file}: ${(e as Error).message}`);
    }
}
