import { mkdir, readFile, rename, writeFile } from 'fs/promises';
import * as http from 'http';
import * as https from 'https';
import { join } from 'path';
import { parseChain } from './chain';
import { Collateral, collateralToJson, parseCollateral } from './collateral';
import { crlBytes, parseCrl } from './crl';
import { CollateralFetchError } from './errors';
import { readPckTcb } from './pckExtension';
import { parseQuote, TdxQuote } from './quote';
import { rawJsonMember } from './rawJson';
import { parseQeIdentity, parseTdxTcbInfo } from './tcbInfo';

export type PckCa = 'platform' | 'processor';

export interface CollateralFetcherOptions {
    /** PCCS or Intel PCS root, e.g. `https://localhost:8081` or `https://api.trustedservices.intel.com`. */
    baseUrl: string;
    /**
     * Root CA CRL location. Default `<baseUrl>/sgx/certification/v4/rootcacrl` (PCCS); with Intel's PCS use
     * `https://certificates.trustedservices.intel.com/IntelSGXRootCA.der`.
     */
    rootCaCrlUrl?: string;
    /** Directory for cached collateral, one JSON file per FMSPC and CA; none: no cache. */
    cacheDir?: string;
    timeoutMs?: number;
    /** Accept a self-signed TLS certificate (a PCCS inside the guest, as COCOON runs it). */
    insecureTls?: boolean;
    /** Clock for cache freshness (tests). */
    now?: () => Date;
}

interface Response {
    url: string;
    status: number;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
}

/**
 * Fetches Intel collateral (PCS / PCCS API v4) for a quote's platform and keeps it on disk until its earliest
 * `nextUpdate`. Only fetching needs the network; verifyQuote then runs offline on the returned Collateral.
 */
export class CollateralFetcher {
    private readonly base: string;
    /** Collateral already read or fetched, until its earliest `nextUpdate`: verifications touch neither disk nor network. */
    private readonly memory = new Map<string, { collateral: Collateral; until: Date }>();
    /** Loads in progress, shared by concurrent callers for the same platform (one download, one file write). */
    private readonly loading = new Map<string, Promise<Collateral>>();

    constructor(private readonly opts: CollateralFetcherOptions) {
        this.base = opts.baseUrl.replace(/\/+$/, '');
    }

    /** Collateral for the platform (FMSPC) and PCK CA named by the quote's PCK certificate. */
    async forQuote(quote: Uint8Array | TdxQuote): Promise<Collateral> {
        const q = quote instanceof Uint8Array ? parseQuote(quote) : quote;
        const leaf = parseChain(q.pckChainData, 'PCK chain')[0];
        const ca: PckCa | undefined = /PCK Platform CA/.test(leaf.issuerText) ? 'platform' : /PCK Processor CA/.test(leaf.issuerText) ? 'processor' : undefined;
        if (!ca) throw new CollateralFetchError(`PCK certificate issuer ${leaf.issuerText} is neither the platform nor the processor CA`);
        return this.fetch(readPckTcb(leaf).fmspc, ca);
    }

    async fetch(fmspc: string, ca: PckCa): Promise<Collateral> {
        if (!/^[0-9A-Fa-f]{12}$/.test(fmspc)) throw new CollateralFetchError(`FMSPC must be 6 bytes of hex, got "${fmspc}"`);
        const key = `${fmspc.toUpperCase()}-${ca}`;
        const held = this.memory.get(key);
        if (held && this.now() < held.until) return held.collateral;
        let load = this.loading.get(key);
        if (!load) {
            load = this.load(fmspc.toUpperCase(), ca).finally(() => this.loading.delete(key));
            this.loading.set(key, load);
        }
        return load;
    }

    private now(): Date {
        return (this.opts.now ?? (() => new Date()))();
    }

    private async load(fmspc: string, ca: PckCa): Promise<Collateral> {
        const file = this.opts.cacheDir ? join(this.opts.cacheDir, `tdx-${fmspc}-${ca}.json`) : undefined;
        let collateral = file ? await this.readCache(file) : undefined;
        if (!collateral) {
            collateral = await this.download(fmspc, ca);
            if (file) {
                await mkdir(this.opts.cacheDir!, { recursive: true });
                await writeFile(`${file}.tmp`, JSON.stringify(collateralToJson(collateral), null, 1));
                await rename(`${file}.tmp`, file);
            }
        }
        this.memory.set(`${fmspc}-${ca}`, { collateral, until: earliestNextUpdate(collateral) });
        return collateral;
    }

    private async readCache(file: string): Promise<Collateral | undefined> {
        try {
            const c = parseCollateral(await readFile(file, 'utf8'));
            return this.now() < earliestNextUpdate(c) ? c : undefined;
        } catch {
            return undefined; // missing or unreadable: fetch again
        }
    }

    private async download(fmspc: string, ca: PckCa): Promise<Collateral> {
        const pck = await this.get(`${this.base}/sgx/certification/v4/pckcrl?ca=${ca}&encoding=der`);
        const tcb = await this.get(`${this.base}/tdx/certification/v4/tcb?fmspc=${fmspc}`);
        const qe = await this.get(`${this.base}/tdx/certification/v4/qe/identity`);
        const root = await this.get(this.opts.rootCaCrlUrl ?? `${this.base}/sgx/certification/v4/rootcacrl`);
        const tcbSigned = signedMember(tcb, 'tcbInfo');
        const qeSigned = signedMember(qe, 'enclaveIdentity');
        try {
            return this.assemble(pck, root, tcb, qe, tcbSigned, qeSigned);
        } catch (e) {
            if (e instanceof CollateralFetchError) throw e;
            throw new CollateralFetchError(`collateral from ${this.base} is malformed: ${(e as Error).message}`);
        }
    }

    private assemble(
        pck: Response,
        root: Response,
        tcb: Response,
        qe: Response,
        tcbSigned: { text: string; signature: string },
        qeSigned: { text: string; signature: string },
    ): Collateral {
        return parseCollateral({
            pck_crl_issuer_chain: issuerChain(pck, 'sgx-pck-crl-issuer-chain'),
            pck_crl: Buffer.from(crlBytes(pck.body, 'PCK CRL')).toString('hex'),
            root_ca_crl: Buffer.from(crlBytes(root.body, 'root CA CRL')).toString('hex'),
            tcb_info_issuer_chain: issuerChain(tcb, 'tcb-info-issuer-chain', 'sgx-tcb-info-issuer-chain'),
            tcb_info: tcbSigned.text,
            tcb_info_signature: tcbSigned.signature,
            qe_identity_issuer_chain: issuerChain(qe, 'sgx-enclave-identity-issuer-chain'),
            qe_identity: qeSigned.text,
            qe_identity_signature: qeSigned.signature,
        });
    }

    private get(url: string): Promise<Response> {
        const timeout = this.opts.timeoutMs ?? 10_000;
        return new Promise((resolve, reject) => {
            const lib = url.startsWith('https:') ? https : http;
            const req = lib.get(url, { timeout, rejectUnauthorized: !this.opts.insecureTls }, (res) => {
                const chunks: Buffer[] = [];
                res.on('data', (c: Buffer) => chunks.push(c));
                res.on('error', (e) => reject(new CollateralFetchError(`GET ${url}: ${e.message}`)));
                res.on('end', () => {
                    const status = res.statusCode ?? 0;
                    if (status !== 200) reject(new CollateralFetchError(`GET ${url}: HTTP ${status}`, status));
                    else resolve({ url, status, headers: res.headers, body: Buffer.concat(chunks) });
                });
            });
            req.on('timeout', () => req.destroy(new Error(`no answer in ${timeout} ms`)));
            req.on('error', (e) => reject(new CollateralFetchError(`GET ${url}: ${e.message}`)));
        });
    }
}

function issuerChain(res: Response, ...names: string[]): string {
    for (const name of names) {
        const v = res.headers[name];
        if (typeof v === 'string') return decodeURIComponent(v);
    }
    throw new CollateralFetchError(`GET ${res.url}: no ${names[0]} header`);
}

function signedMember(res: Response, key: string): { text: string; signature: string } {
    const body = res.body.toString('utf8');
    const text = rawJsonMember(body, key);
    const signature = rawJsonMember(body, 'signature');
    if (!text || !signature || !/^"[0-9a-fA-F]{128}"$/.test(signature)) {
        throw new CollateralFetchError(`GET ${res.url}: body lacks "${key}" or a 64-byte hex "signature"`);
    }
    return { text, signature: signature.slice(1, -1) };
}

/** When cached collateral goes stale: the earliest nextUpdate of its CRLs, TCB info and QE identity. */
function earliestNextUpdate(c: Collateral): Date {
    const dates = [
        parseCrl(c.rootCaCrl, 'root CA CRL').nextUpdate,
        parseCrl(c.pckCrl, 'PCK CRL').nextUpdate,
        parseTdxTcbInfo(c.tcbInfo).nextUpdate,
        parseQeIdentity(c.qeIdentity).nextUpdate,
    ];
    return new Date(Math.min(...dates.map((d) => d.getTime())));
}
