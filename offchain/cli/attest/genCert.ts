import { Command } from 'commander';
import { verifyQuote } from '../../attest';
import { RatlsError } from '../../ratls/errors';
import { FAKE_IMAGE_HASH } from '../../ratls/fakeQuote';
import { generateIdentity, writeIdentityFiles, type RatlsIdentity } from '../../ratls/identity';
import { createQuoteProvider, DEFAULT_TSM_ROOT } from '../../ratls/providers';
import { PROVIDER_NAMES } from '../../ratls/report';

/** Exit status: 0 written, 1 no quote could be produced, 2 bad input (unknown provider, files exist). */
const EXIT_FAILED = 1;
const EXIT_BAD_INPUT = 2;

interface GenCertOptions {
    provider: string;
    out: string;
    force: boolean;
    tsmRoot: string;
}

/** `cocoon attest gen-cert`: a fresh Ed25519 key and RA-TLS certificate, as the guest's init step makes them. */
export function registerGenCert(attest: Command): void {
    attest
        .command('gen-cert')
        .description('generate an RA-TLS key and certificate (<base>_key.pem, <base>_cert.pem); prints the image hash when there is a quote')
        .requiredOption('--provider <name>', `quote provider: ${PROVIDER_NAMES.join(' | ')}`)
        .requiredOption('--out <base>', 'path prefix of the two files')
        .option('--force', 'overwrite existing files', false)
        .option('--tsm-root <dir>', 'configfs-tsm report folder (provider tdx)', DEFAULT_TSM_ROOT)
        .action(async (opts: GenCertOptions) => {
            if (!(PROVIDER_NAMES as readonly string[]).includes(opts.provider)) {
                return fail(EXIT_BAD_INPUT, `unknown provider "${opts.provider}" (expected ${PROVIDER_NAMES.join(', ')})`);
            }
            let identity: RatlsIdentity;
            try {
                identity = await generateIdentity({ provider: createQuoteProvider(opts.provider, { root: opts.tsmRoot }) });
            } catch (e) {
                if (!(e instanceof RatlsError)) throw e;
                return fail(EXIT_FAILED, e.message);
            }
            try {
                const { keyFile, certFile } = await writeIdentityFiles(identity, opts.out, opts.force);
                process.stdout.write(`key: ${keyFile}\ncert: ${certFile}\n`);
            } catch (e) {
                if (!(e instanceof RatlsError)) throw e;
                return fail(EXIT_BAD_INPUT, e.message);
            }
            const imageHash = identity.provider === 'fake' ? FAKE_IMAGE_HASH : identity.quote ? verifyQuote(identity.quote).imageHash : undefined;
            if (imageHash) process.stdout.write(`image hash: ${imageHash}\n`);
        });
}

function fail(code: number, message: string): void {
    process.stderr.write(`error: ${message}\n`);
    process.exitCode = code;
}
