import { Command } from 'commander';
import fs from 'fs';
import path from 'path';
import { verifyQuote } from '../../attest';
import { RatlsError } from '../../ratls/errors';
import { FAKE_IMAGE_HASH } from '../../ratls/fakeQuote';
import { generateIdentity, writeIdentityFiles } from '../../ratls/identity';
import { createQuoteProvider, DEFAULT_TSM_ROOT } from '../../ratls/providers';
import { PROVIDER_NAMES } from '../../ratls/report';
import { CliInputError } from '../errors';

/** Exit status: 0 written, 1 no quote could be produced, 2 bad input (unknown provider, bad --out, files exist). */

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
                throw new CliInputError(`unknown provider "${opts.provider}" (expected ${PROVIDER_NAMES.join(', ')})`);
            }
            checkOutBase(opts.out);
            // A provider that cannot quote is a failure (exit 1): main's boundary prints the RatlsError's message.
            const identity = await generateIdentity({ provider: createQuoteProvider(opts.provider, { root: opts.tsmRoot }) });
            try {
                const { keyFile, certFile } = await writeIdentityFiles(identity, opts.out, opts.force);
                process.stdout.write(`key: ${keyFile}\ncert: ${certFile}\n`);
            } catch (e) {
                throw e instanceof RatlsError ? new CliInputError(e.message) : e;
            }
            const imageHash = identity.provider === 'fake' ? FAKE_IMAGE_HASH : identity.quote ? verifyQuote(identity.quote).imageHash : undefined;
            if (imageHash) process.stdout.write(`image hash: ${imageHash}\n`);
        });
}

/** `--out` is a path prefix: its folder must exist and it must name a file, not end in a folder. */
function checkOutBase(base: string): void {
    const example = '(e.g. --out keys/node writes keys/node_key.pem and keys/node_cert.pem)';
    if (base === '' || base.endsWith('/') || base.endsWith(path.sep) || isDirectory(base)) {
        throw new CliInputError(`--out "${base}" is a folder; it must be a path prefix ${example}`);
    }
    const dir = path.dirname(base);
    if (!isDirectory(dir)) throw new CliInputError(`--out "${base}": folder ${dir} does not exist`);
}

function isDirectory(p: string): boolean {
    return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
}
