import 'reflect-metadata';
import { createHash, webcrypto } from 'crypto';
import * as x509 from '@peculiar/x509';
import { CollateralJson, parseQuote } from '../../offchain/attest';
import { collateralText, quoteBytes } from './fixtures';

// @peculiar/x509 is typed against the DOM's WebCrypto types, which this project's `lib` leaves out; Node's
// webcrypto objects are those at run time, hence the `as never` casts below.
x509.cryptoProvider.set(webcrypto as never);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const NOT_BEFORE = new Date('2020-01-01T00:00:00Z');
const NOT_AFTER = new Date('2040-01-01T00:00:00Z');
const SGX_EXTENSIONS = '1.2.840.113741.1.13.1';

type KeyPair = webcrypto.CryptoKeyPair;

export interface Issued {
    cert: x509.X509Certificate;
    keys: KeyPair;
}

/** A test-only copy of Intel's PKI shape: root → PCK platform CA → PCK leaf, and root → TCB signer. */
export interface FakePki {
    root: Issued;
    pckCa: Issued;
    pck: Issued;
    tcbSigner: Issued;
    /** SHA-384 of the fake root's uncompressed public key: the pin to pass as rootKeyHash. */
    rootKeyHash: string;
}

const newKeys = () => webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as Promise<KeyPair>;

async function issue(name: string, issuer: Issued | undefined, ca: boolean, extra: x509.Extension[] = []): Promise<Issued> {
    const keys = await newKeys();
    const extensions = [new x509.BasicConstraintsExtension(ca, ca ? 1 : undefined, true), ...extra];
    const common = { serialNumber: createHash('sha1').update(name).digest('hex'), notBefore: NOT_BEFORE, notAfter: NOT_AFTER, extensions, signingAlgorithm: EC };
    const cert = issuer
        ? await x509.X509CertificateGenerator.create({
              ...common,
              subject: name,
              issuer: issuer.cert.subject,
              publicKey: keys.publicKey as never,
              signingKey: issuer.keys.privateKey as never,
          })
        : await x509.X509CertificateGenerator.createSelfSigned({ ...common, name, keys: keys as never });
    return { cert, keys };
}

/** The PCK leaf copies the SGX extension (FMSPC, TCB) of quote-c's real PCK certificate, so Intel's TCB info fits. */
export async function makeFakePki(): Promise<FakePki> {
    const realLeaf = new x509.X509Certificate(firstPem(parseQuote(quoteBytes('quote-c.dat')).pckChainData));
    const sgx = realLeaf.getExtension(SGX_EXTENSIONS)!;
    const root = await issue('CN=Test SGX Root CA', undefined, true);
    const pckCa = await issue('CN=Test SGX PCK Platform CA', root, true);
    const pck = await issue('CN=Test SGX PCK Certificate', pckCa, false, [new x509.Extension(SGX_EXTENSIONS, false, sgx.value)]);
    const tcbSigner = await issue('CN=Test SGX TCB Signing', root, false);
    const raw = new Uint8Array(await webcrypto.subtle.exportKey('raw', root.keys.publicKey));
    return { root, pckCa, pck, tcbSigner, rootKeyHash: createHash('sha384').update(raw).digest('hex') };
}

function firstPem(chain: Uint8Array): string {
    const text = Buffer.from(chain).toString('latin1');
    return text.slice(0, text.indexOf('-----END CERTIFICATE-----') + 25);
}

export const pem = (...certs: x509.X509Certificate[]) => certs.map((c) => c.toString('pem').replace(/\r\n/g, '\n') + '\n').join('');

/** Raw r ‖ s ECDSA-P256/SHA-256 signature (WebCrypto's native format, the quote's format). */
export async function signRaw(key: webcrypto.CryptoKey, data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await webcrypto.subtle.sign(EC, key, data));
}

const u16 = (n: number) => Buffer.from([n & 0xff, n >> 8]);
const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
};

/**
 * A complete quote signed by `pki` around quote-c's TD report body and QE report: a fresh attestation key signs
 * header ‖ body, the QE report binds that key and is signed by the fake PCK key. v5 can carry a TD 1.5 body.
 */
export async function buildQuote(pki: FakePki, opts: { version: 4 | 5; td15?: boolean; chain?: string } = { version: 4 }): Promise<Uint8Array> {
    const base = parseQuote(quoteBytes('quote-c.dat'));
    const header = Buffer.from(base.signedPart.subarray(0, 48));
    header.writeUInt16LE(opts.version, 0);
    let body = Buffer.from(base.signedPart.subarray(48, 632));
    if (opts.td15) body = Buffer.concat([body, Buffer.alloc(16, 0x11), Buffer.alloc(48, 0x22)]);
    const signed = opts.version === 5 ? Buffer.concat([header, u16(opts.td15 ? 3 : 2), u32(body.length), body]) : Buffer.concat([header, body]);

    const attestation = await newKeys();
    const attKey = new Uint8Array(await webcrypto.subtle.exportKey('raw', attestation.publicKey)).subarray(1);
    const authData = Buffer.alloc(32, 0xab);
    const qeReport = Buffer.from(base.qeReport.raw);
    createHash('sha256').update(attKey).update(authData).digest().copy(qeReport, 320);
    qeReport.fill(0, 352);

    const chain = Buffer.from((opts.chain ?? pem(pki.pck.cert, pki.pckCa.cert, pki.root.cert)) + '\0', 'latin1');
    const inner = Buffer.concat([u16(5), u32(chain.length), chain]);
    const qeData = Buffer.concat([qeReport, await signRaw(pki.pck.keys.privateKey, qeReport), u16(authData.length), authData, inner]);
    const sigData = Buffer.concat([await signRaw(attestation.privateKey, signed), attKey, u16(6), u32(qeData.length), qeData]);
    return new Uint8Array(Buffer.concat([signed, u32(sigData.length), sigData]));
}

export interface FakeCollateralOptions {
    /** Serials (hex) the PCK CRL lists as revoked. */
    revokedPck?: string[];
    /** Serials (hex) the root CA CRL lists as revoked. */
    revokedByRoot?: string[];
    /** Rewrites of Intel's TCB info / QE identity JSON objects before they are signed. */
    editTcbInfo?: (tcbInfo: any) => void;
    editQeIdentity?: (qeIdentity: any) => void;
}

function edited(text: string, edit?: (o: any) => void): string {
    if (!edit) return text;
    const o = JSON.parse(text);
    edit(o);
    return JSON.stringify(o);
}

/** Collateral signed by the fake PKI, reusing Intel's TCB info and QE identity texts (re-signed). */
export async function makeFakeCollateral(pki: FakePki, opts: FakeCollateralOptions = {}): Promise<CollateralJson> {
    const real = JSON.parse(collateralText()) as CollateralJson;
    const crl = async (issuer: Issued, serials: string[] = []) =>
        Buffer.from(
            (
                await x509.X509CrlGenerator.create({
                    issuer: issuer.cert.subject,
                    thisUpdate: new Date('2025-06-01T00:00:00Z'),
                    nextUpdate: new Date('2025-08-01T00:00:00Z'),
                    entries: serials.map((serialNumber) => ({ serialNumber, revocationDate: new Date('2025-06-01T00:00:00Z') })),
                    signingAlgorithm: EC,
                    signingKey: issuer.keys.privateKey as never,
                })
            ).rawData,
        ).toString('hex');
    const tcbInfo = edited(real.tcb_info, opts.editTcbInfo);
    const qeIdentity = edited(real.qe_identity, opts.editQeIdentity);
    const sign = async (text: string) => Buffer.from(await signRaw(pki.tcbSigner.keys.privateKey, Buffer.from(text))).toString('hex');
    return {
        pck_crl_issuer_chain: pem(pki.pckCa.cert, pki.root.cert),
        root_ca_crl: await crl(pki.root, opts.revokedByRoot),
        pck_crl: await crl(pki.pckCa, opts.revokedPck),
        tcb_info_issuer_chain: pem(pki.tcbSigner.cert, pki.root.cert),
        tcb_info: tcbInfo,
        tcb_info_signature: await sign(tcbInfo),
        qe_identity_issuer_chain: pem(pki.tcbSigner.cert, pki.root.cert),
        qe_identity: qeIdentity,
        qe_identity_signature: await sign(qeIdentity),
    };
}
