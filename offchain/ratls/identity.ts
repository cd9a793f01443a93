import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import { buildCertificate, generateEd25519Keys, rawPublicKey } from './certificateBuilder';
import { claimsReportData, serializeClaims } from './claims';
import { RatlsError } from './errors';
import type { QuoteProvider } from './providers';
import type { ProviderName } from './report';

/** One day, as COCOON's certificates. */
export const CERT_VALIDITY_SECONDS = 86_400;

/** A key and its RA-TLS certificate, ready to present in TLS. */
export interface RatlsIdentity {
    keyPem: string;
    certPem: string;
    certDer: Uint8Array;
    provider: ProviderName;
    publicKey: Uint8Array;
    notBefore: Date;
    notAfter: Date;
    /** SHA-256 of certDer, hex. */
    fingerprint: string;
    quote?: Uint8Array;
    claims?: Uint8Array;
}

export interface GenerateIdentityOptions {
    provider: QuoteProvider;
    /** Start of validity (default now); production takes it from the chain's clock. */
    now?: Date;
    validitySeconds?: number;
    /** Extra claims bound into the quote (e.g. a GPU evidence digest). */
    extra?: Record<string, Uint8Array>;
}

/**
 * A fresh Ed25519 key and a self-signed certificate whose quote binds it: claims = {key, issuedAt, extra},
 * REPORTDATA = SHA-512(claims). With provider `none` the certificate has neither quote nor claims.
 */
export async function generateIdentity(options: GenerateIdentityOptions): Promise<RatlsIdentity> {
    const validity = options.validitySeconds ?? CERT_VALIDITY_SECONDS;
    if (!Number.isInteger(validity) || validity <= 0) throw new RatlsError(`validity must be a positive whole number of seconds, got ${validity}`);
    const notBefore = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
    const notAfter = new Date(notBefore.getTime() + validity * 1000);
    const keys = await generateEd25519Keys();
    const publicKey = await rawPublicKey(keys.publicKey);
    let quote: Uint8Array | undefined;
    let claims: Uint8Array | undefined;
    if (options.provider.name !== 'none') {
        claims = serializeClaims({ version: 1, publicKey, issuedAt: notBefore.getTime() / 1000, extra: options.extra ?? {} });
        quote = await options.provider.quote(claimsReportData(claims));
    }
    const built = await buildCertificate({ keys, notBefore, notAfter, quote, claims });
    return {
        ...built,
        provider: options.provider.name,
        publicKey,
        notBefore,
        notAfter,
        fingerprint: createHash('sha256').update(built.certDer).digest('hex'),
        quote,
        claims,
    };
}

/** Writes `<base>_key.pem` (mode 0600) and `<base>_cert.pem`; refuses to overwrite unless `force`. */
export async function writeIdentityFiles(identity: RatlsIdentity, base: string, force = false): Promise<{ keyFile: string; certFile: string }> {
    const keyFile = `${base}_key.pem`;
    const certFile = `${base}_cert.pem`;
    if (!force) {
        for (const file of [keyFile, certFile]) {
            if (await exists(file)) throw new RatlsError(`${file} exists (use --force to overwrite)`);
        }
    }
    await fs.writeFile(keyFile, identity.keyPem, { mode: 0o600 });
    await fs.writeFile(certFile, identity.certPem);
    return { keyFile, certFile };
}

async function exists(file: string): Promise<boolean> {
    return fs.access(file).then(
        () => true,
        () => false,
    );
}
