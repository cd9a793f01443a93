import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { collateralToJson, CollateralFetcher, CollateralFetchError, CollateralJson, verifyQuote } from '../../offchain/attest';
import { collateralText, quoteBytes, VERIFY_AT } from './fixtures';

const real = JSON.parse(collateralText()) as CollateralJson;
const chainHeader = (pem: string) => encodeURIComponent(pem);

/** A PCCS look-alike on 127.0.0.1 serving quote-c's collateral in the PCS v4 wire shapes. */
class FakePccs {
    server!: Server;
    requests: string[] = [];
    /** Path (without query) → HTTP status to answer instead of the collateral. */
    failures = new Map<string, number>();

    async start(): Promise<string> {
        this.server = createServer((req, res) => this.handle(req, res));
        await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    }

    stop(): Promise<void> {
        return new Promise((resolve) => this.server.close(() => resolve()));
    }

    private handle(req: IncomingMessage, res: ServerResponse): void {
        this.requests.push(req.url!);
        const path = req.url!.split('?')[0];
        const failure = this.failures.get(path);
        if (failure) {
            res.writeHead(failure).end('error');
            return;
        }
        switch (path) {
            case '/sgx/certification/v4/pckcrl':
                expect(req.url).toBe('/sgx/certification/v4/pckcrl?ca=platform&encoding=der');
                res.writeHead(200, { 'SGX-PCK-CRL-Issuer-Chain': chainHeader(real.pck_crl_issuer_chain) }).end(Buffer.from(real.pck_crl, 'hex'));
                return;
            case '/tdx/certification/v4/tcb':
                expect(req.url).toBe('/tdx/certification/v4/tcb?fmspc=B0C06F000000');
                res.writeHead(200, { 'TCB-Info-Issuer-Chain': chainHeader(real.tcb_info_issuer_chain), 'Content-Type': 'application/json' }).end(
                    `{"tcbInfo":${real.tcb_info},"signature":"${real.tcb_info_signature}"}`,
                );
                return;
            case '/tdx/certification/v4/qe/identity':
                res.writeHead(200, { 'SGX-Enclave-Identity-Issuer-Chain': chainHeader(real.qe_identity_issuer_chain) }).end(
                    `{ "enclaveIdentity" : ${real.qe_identity}, "signature" : "${real.qe_identity_signature}" }`,
                );
                return;
            case '/sgx/certification/v4/rootcacrl':
                res.writeHead(200).end(real.root_ca_crl); // PCCS answers with hex text
                return;
            default:
                res.writeHead(404).end();
        }
    }
}

describe('CollateralFetcher against a local PCCS', () => {
    const pccs = new FakePccs();
    let base: string;
    let cacheDir: string;
    beforeAll(async () => {
        base = await pccs.start();
    });
    afterAll(() => pccs.stop());
    beforeEach(() => {
        pccs.requests = [];
        pccs.failures.clear();
        cacheDir = mkdtempSync(join(tmpdir(), 'attest-cache-'));
    });
    afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

    it('fetches the collateral for quote-c byte for byte, and it verifies UpToDate offline', async () => {
        const fetcher = new CollateralFetcher({ baseUrl: `${base}/`, cacheDir, now: () => VERIFY_AT });
        const collateral = await fetcher.forQuote(quoteBytes('quote-c.dat'));
        expect(collateralToJson(collateral)).toEqual(real);
        expect(pccs.requests).toEqual([
            '/sgx/certification/v4/pckcrl?ca=platform&encoding=der',
            '/tdx/certification/v4/tcb?fmspc=B0C06F000000',
            '/tdx/certification/v4/qe/identity',
            '/sgx/certification/v4/rootcacrl',
        ]);
        const report = verifyQuote(quoteBytes('quote-c.dat'), { collateral, at: VERIFY_AT });
        expect([report.ok, report.tcbStatus]).toEqual([true, 'UpToDate']);
        expect(readdirSync(cacheDir)).toEqual(['tdx-B0C06F000000-platform.json']);
    });

    it('serves a fresh cache without the network and refetches once the collateral is past its next update', async () => {
        let now = VERIFY_AT;
        const fetcher = new CollateralFetcher({ baseUrl: base, cacheDir, now: () => now });
        await fetcher.fetch('b0c06f000000', 'platform');
        expect(pccs.requests).toHaveLength(4);
        const again = await new CollateralFetcher({ baseUrl: base, cacheDir, now: () => now }).fetch('B0C06F000000', 'platform');
        expect(pccs.requests).toHaveLength(4);
        expect(collateralToJson(again)).toEqual(real);
        now = new Date('2025-07-19T10:00:35Z'); // the PCK CRL's nextUpdate, the earliest of the four
        await fetcher.fetch('B0C06F000000', 'platform');
        expect(pccs.requests).toHaveLength(8);
    });

    it('keeps what it read in memory (no disk read per verification) and shares one download among concurrent callers', async () => {
        const fetcher = new CollateralFetcher({ baseUrl: base, cacheDir, now: () => VERIFY_AT });
        const all = await Promise.all([1, 2, 3].map(() => fetcher.fetch('B0C06F000000', 'platform')));
        expect(pccs.requests).toHaveLength(4);
        expect(new Set(all).size).toBe(1);
        // the cache file gone: the next verifications are answered from memory, the disk is not read
        rmSync(join(cacheDir, 'tdx-B0C06F000000-platform.json'));
        expect(await fetcher.fetch('b0c06f000000', 'platform')).toBe(all[0]);
        expect(pccs.requests).toHaveLength(4);
    });

    it('refetches over a corrupt cache file', async () => {
        writeFileSync(join(cacheDir, 'tdx-B0C06F000000-platform.json'), '{"broken":');
        const c = await new CollateralFetcher({ baseUrl: base, cacheDir, now: () => VERIFY_AT }).fetch('B0C06F000000', 'platform');
        expect(collateralToJson(c)).toEqual(real);
        expect(pccs.requests).toHaveLength(4);
    });

    it.each([
        ['/tdx/certification/v4/tcb', 404, `/tdx/certification/v4/tcb?fmspc=B0C06F000000: HTTP 404`],
        ['/sgx/certification/v4/pckcrl', 503, `/sgx/certification/v4/pckcrl?ca=platform&encoding=der: HTTP 503`],
    ])('an HTTP error on %s is a CollateralFetchError with its status, and nothing is cached', async (path, status, tail) => {
        pccs.failures.set(path, status);
        const fetcher = new CollateralFetcher({ baseUrl: base, cacheDir });
        const error = await fetcher.fetch('B0C06F000000', 'platform').catch((e) => e);
        expect(error).toBeInstanceOf(CollateralFetchError);
        expect(error.message).toBe(`GET ${base}${tail}`);
        expect(error.status).toBe(status);
        expect(readdirSync(cacheDir)).toEqual([]);
    });

    it('a refused connection and a bad FMSPC are CollateralFetchErrors', async () => {
        const closed = new FakePccs();
        const url = await closed.start();
        await closed.stop();
        await expect(new CollateralFetcher({ baseUrl: url }).fetch('B0C06F000000', 'processor')).rejects.toThrow(
            new RegExp(`^GET ${url}/sgx/certification/v4/pckcrl\\?ca=processor&encoding=der: .*ECONNREFUSED`),
        );
        await expect(new CollateralFetcher({ baseUrl: base }).fetch('B0C06F', 'platform')).rejects.toThrow(
            new CollateralFetchError('FMSPC must be 6 bytes of hex, got "B0C06F"'),
        );
    });
});
