import { Command } from 'commander';
import { RatlsError } from '../../ratls/errors';
import { countPemCertificates, pemToDer } from '../../ratls/parseCertificate';
import { PeerVerifier } from '../../ratls/peerVerifier';
import { PROVIDER_NAMES, firstFailure, type ProviderName, type RatlsReport } from '../../ratls/report';
import { attestQuoteVerifier } from '../../ratls/tdxQuoteVerifier';
import { KiB, readInputFile } from '../../runtime/inputFile';
import { CliInputError, EXIT_FAILED } from '../errors';
import { readCollateralFile } from './inputs';

/** An RA-TLS certificate with its quote is about 10 KB of PEM. */
const MAX_CERT_BYTES = 256 * KiB;

interface CertOptions {
    json: boolean;
    provider: string;
    imageHash?: string[];
    collateral?: string;
    at?: string;
}

/**
 * `cocoon attest cert <pem>`: verify an RA-TLS certificate against a policy given by options and print the report.
 * Exit status: 0 accepted, 1 rejected by the policy, 2 bad input (unreadable file, no certificate, bad option).
 */
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
                // A certificate that cannot even be decoded is bad input, not a rejection by the policy.
                throw e instanceof RatlsError ? new CliInputError(e.message) : e;
            }
            process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
            if (!report.ok) process.exitCode = EXIT_FAILED;
        });
}

async function verifyCertFile(file: string, opts: CertOptions): Promise<RatlsReport> {
    const providers = opts.provider.split(',').map((p) => p.trim());
    for (const p of providers) if (!(PROVIDER_NAMES as readonly string[]).includes(p)) throw new CliInputError(`unknown provider "${p}" (expected ${PROVIDER_NAMES.join(', ')})`);
    const at = opts.at === undefined ? new Date() : new Date(opts.at);
    if (Number.isNaN(at.getTime())) throw new CliInputError(`--at "${opts.at}" is not a time`);
    const hashes = opts.imageHash?.map((h) => h.toLowerCase());
    for (const h of hashes ?? []) if (!/^[0-9a-f]{64}$/.test(h)) throw new CliInputError(`image hash "${h}" must be 64 hex digits`);
    const collateral = opts.collateral === undefined ? undefined : readCollateralFile(opts.collateral);
    const pem = readPemText(file);
    const count = countPemCertificates(pem);
    if (count === 0) throw new CliInputError(`${file} holds no PEM certificate`);
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

/**
 * The certificate file as text. Binary data (control bytes other than tabs and line breaks) is refused before any
 * PEM block is searched for: a TDX quote holds Intel's PEM chain, which must not be mistaken for the RA-TLS
 * certificate. Non-ASCII text (a UTF-8 comment above the PEM block) is fine.
 */
function readPemText(file: string): string {
    const data = readInputFile(file, 'certificate', MAX_CERT_BYTES);
    if (data.some((b) => b === 0x7f || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d))) {
        throw new CliInputError(`${file} is not an RA-TLS certificate: binary data, not PEM text`);
    }
    return data.toString('latin1');
}
