import { readFileSync } from 'fs';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { parseCollateral } from '../../offchain/attest';
import { buildCertificate, generateEd25519Keys, rawPublicKey } from '../../offchain/ratls/certificateBuilder';
import { serializeClaims } from '../../offchain/ratls/claims';
import { PolicyError, RatlsVerificationError } from '../../offchain/ratls/errors';
import { FAKE_IMAGE_HASH } from '../../offchain/ratls/fakeQuote';
import { generateIdentity, type RatlsIdentity } from '../../offchain/ratls/identity';
import { CHECK_ORDER, PeerVerifier } from '../../offchain/ratls/peerVerifier';
import { fakePolicy, productionPolicy, validatePolicy, type RatlsPolicy } from '../../offchain/ratls/policy';
import { FakeQuoteProvider, NoQuoteProvider, TsmQuoteProvider } from '../../offchain/ratls/providers';
import { attestQuoteVerifier } from '../../offchain/ratls/tdxQuoteVerifier';
import { trustingTdxVerifier } from './helpers';
import { simulatedTsm, syntheticQuote } from './simulatedTsm';

const fixtures = path.join(__dirname, '../attest/data');
const fake = new FakeQuoteProvider();
const zero48 = '00'.repeat(48);

describe('policies', () => {
    it('a production policy accepts only tdx, needs image hashes and a TCB floor, and forbids DEBUG', () => {
        const base = productionPolicy('proxy', () => []);
        expect(base).toMatchObject({ providers: ['tdx'], minTcbStatus: 'UpToDate', allowDebug: false, production: true });
        expect(() => validatePolicy(base)).not.toThrow();
        const bad: [Partial<RatlsPolicy>, string][] = [
            [{ providers: ['tdx', 'fake'] }, 'production policy "proxy" must not accept provider fake'],
            [{ providers: ['none'] }, 'production policy "proxy" must not accept provider none'],
            [{ imageHashes: undefined }, 'production policy "proxy" needs allowed image hashes'],
            [{ minTcbStatus: undefined }, 'production policy "proxy" needs a minimum TCB status'],
            [{ allowDebug: true }, 'production policy "proxy" must not allow DEBUG TDs'],
            [{ providers: [] }, 'policy "proxy" accepts no provider'],
            [{ minTcbStatus: 'Great' as never }, 'policy "proxy": unknown TCB status "Great"'],
            [{ mrTds: ['AB'] }, 'policy "proxy": MRTD "AB" must be 96 lowercase hex digits'],
        ];
        for (const [change, message] of bad) {
            expect(() => new PeerVerifier({ policy: { ...base, ...change } })).toThrow(new PolicyError(message));
        }
    });
});

describe('PeerVerifier', () => {
    let fakeId: RatlsIdentity;
    beforeAll(async () => {
        fakeId = await generateIdentity({ provider: fake });
    });

    it('lists every check in order for an accepted fake certificate', async () => {
        const report = await new PeerVerifier({ policy: fakePolicy('local', () => [FAKE_IMAGE_HASH]) }).verify(fakeId.certDer);
        expect(report.ok).toBe(true);
        expect(report.checks.map((c) => c.name)).toEqual([...CHECK_ORDER]);
        expect(report.checks.every((c) => c.ok)).toBe(true);
        expect(report.provider).toBe('fake');
        expect(report.publicKey).toBe(Buffer.from(fakeId.publicKey).toString('hex'));
        expect(report.claims!.publicKey).toBe(report.publicKey);
        expect(report.quote!.imageHash).toBe(FAKE_IMAGE_HASH);
        expect(report.notAfter).toBe(fakeId.notAfter.toISOString());
    });

    it('rejects garbage and multi-certificate chains with the check named', async () => {
        const verifier = new PeerVerifier({ policy: fakePolicy('local') });
        const garbage = await verifier.verify(new Uint8Array([0x30, 0x03, 1, 2, 3]));
        expect(garbage.ok).toBe(false);
        expect(garbage.checks[0].name).toBe('format');
        expect(garbage.checks[0].detail).toMatch(/^not a DER X\.509 certificate: /);
        await expect(verifier.verifyOrThrow(fakeId.certDer, { chainLength: 2 })).rejects.toThrow(
            'RA-TLS check "chainDepth" failed: peer presented 2 certificates, only a single self-signed one is accepted',
        );
    });

    it('fails closed when the image-hash source fails', async () => {
        const verifier = new PeerVerifier({ policy: fakePolicy('local', () => Promise.reject(new Error('root contract unreachable'))) });
        await expect(verifier.verifyOrThrow(fakeId.certDer)).rejects.toThrow('RA-TLS check "imageHash" failed: allowed image hashes unavailable: root contract unreachable');
    });

    it('a certificate whose signature does not verify is refused', async () => {
        const tampered = Uint8Array.from(fakeId.certDer);
        tampered[tampered.length - 1] ^= 1;
        await expect(new PeerVerifier({ policy: fakePolicy('local') }).verifyOrThrow(tampered)).rejects.toThrow(
            'RA-TLS check "selfSigned" failed: signature does not verify with the certificate key',
        );
    });

    it('a certificate not yet valid, or valid for longer than a day, is refused', async () => {
        const early = await generateIdentity({ provider: fake, now: new Date(Date.now() + 5 * 60_000) });
        const long = await generateIdentity({ provider: fake, validitySeconds: 86_401 });
        const verifier = new PeerVerifier({ policy: fakePolicy('local') });
        await expect(verifier.verifyOrThrow(early.certDer)).rejects.toThrow(`RA-TLS check "validity" failed: not valid before ${early.notBefore.toISOString()}`);
        await expect(verifier.verifyOrThrow(long.certDer)).rejects.toThrow('RA-TLS check "validity" failed: validity of 86401 s exceeds 86400 s');
    });

    it('provider none: accepted only by a policy that names it; quote checks do not apply', async () => {
        const none = await generateIdentity({ provider: new NoQuoteProvider() });
        await expect(new PeerVerifier({ policy: fakePolicy('local') }).verifyOrThrow(none.certDer)).rejects.toThrow(
            'RA-TLS check "provider" failed: provider none not accepted by policy "local" (accepts fake)',
        );
        const report = await new PeerVerifier({ policy: { name: 'any', production: false, providers: ['none'] } }).verifyOrThrow(none.certDer);
        expect(report.provider).toBe('none');
        expect(report.checks.find((c) => c.name === 'reportData')).toEqual({ name: 'reportData', ok: true, detail: 'not applicable: no quote (provider none)' });
    });

    describe('tdx quotes (simulated configfs-tsm, chain trusted by a test double)', () => {
        const root = mkdtempSync(path.join(tmpdir(), 'ratls-tsm-'));
        afterAll(() => rmSync(root, { recursive: true }));
        const tdx = (fill: number) => new TsmQuoteProvider({ root, fs: simulatedTsm((rd) => syntheticQuote(rd, { mrTdFill: fill })) });
        const policy = (extra: Partial<RatlsPolicy>): RatlsPolicy => ({ name: 'tdx', production: false, providers: ['tdx'], ...extra });

        it('MRTD and RTMR allowlists and the TCB floor', async () => {
            const id = await generateIdentity({ provider: tdx(0x22) });
            const mrTd = '22'.repeat(48);
            const verify = (p: Partial<RatlsPolicy>, tcb = 'UpToDate') => new PeerVerifier({ policy: policy(p), verifyTdxQuote: trustingTdxVerifier(tcb) }).verifyOrThrow(id.certDer);
            await expect(verify({ mrTds: [mrTd], rtmrs: [[zero48, zero48, zero48, zero48]], minTcbStatus: 'UpToDate' })).resolves.toMatchObject({ ok: true });
            await expect(verify({ mrTds: ['33'.repeat(48)] })).rejects.toThrow(`RA-TLS check "mrTd" failed: MRTD ${mrTd} is not allowed`);
            await expect(verify({ rtmrs: [[zero48, zero48, zero48, '01'.repeat(48)]] })).rejects.toThrow('RA-TLS check "rtmr" failed: RTMR0..3 match no allowed tuple');
            await expect(verify({ minTcbStatus: 'UpToDate' }, 'SWHardeningNeeded')).rejects.toThrow('RA-TLS check "tcbStatus" failed: TCB status SWHardeningNeeded is below UpToDate');
            await expect(verify({ minTcbStatus: 'SWHardeningNeeded' }, 'SWHardeningNeeded')).resolves.toMatchObject({ ok: true });
            await expect(verify({ minTcbStatus: 'ConfigurationNeeded' }, 'OutOfDate')).rejects.toThrow('RA-TLS check "tcbStatus" failed: TCB status OutOfDate is below ConfigurationNeeded');
        });

        it('the real DCAP verifier refuses the synthetic quote: no valid signature chain', async () => {
            const id = await generateIdentity({ provider: tdx(0x22) });
            const error = (await new PeerVerifier({ policy: policy({}) }).verifyOrThrow(id.certDer).catch((e) => e)) as RatlsVerificationError;
            expect(error).toBeInstanceOf(RatlsVerificationError);
            expect(error.check).toBe('quote');
            expect(error.reason).toMatch(/^quote (rejected|verification failed): /);
        });
    });

    it('a real TDX quote verifies through offchain/attest, but is bound to another key', async () => {
        const quote = new Uint8Array(readFileSync(path.join(fixtures, 'quote-c.dat')));
        const collateral = parseCollateral(readFileSync(path.join(fixtures, 'quote-c.collateral.json'), 'utf8'));
        const expected = JSON.parse(readFileSync(path.join(fixtures, 'expected.json'), 'utf8'))['quote-c.dat'];
        const now = new Date('2025-07-01T00:00:00Z');
        const keys = await generateEd25519Keys();
        const claims = serializeClaims({ version: 1, publicKey: await rawPublicKey(keys.publicKey), issuedAt: now.getTime() / 1000, extra: {} });
        const cert = await buildCertificate({ keys, notBefore: now, notAfter: new Date(now.getTime() + 86_400_000), quote, claims });
        const verifier = new PeerVerifier({
            policy: productionPolicy('proxy', () => [expected.imageHash]),
            verifyTdxQuote: attestQuoteVerifier({ collateralFor: () => collateral }),
            clock: () => new Date('2025-07-01T01:00:00Z'),
        });
        const report = await verifier.verify(cert.certDer);
        const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
        expect(failed).toEqual(['reportData']);
        expect(report.provider).toBe('tdx');
        expect(report.quote).toMatchObject({ imageHash: expected.imageHash, mrTd: expected.mrTd, reportData: expected.reportData, tcbStatus: 'UpToDate', debug: false, signatureChainValid: true });
    });

    it('caches certificate facts per fingerprint until expiry, but re-reads the image-hash list every time', async () => {
        let allowed = [FAKE_IMAGE_HASH];
        let now = new Date();
        let quoteChecks = 0;
        const verifier = new PeerVerifier({ policy: fakePolicy('local', () => allowed), clock: () => now });
        const counting = new PeerVerifier({
            policy: { name: 'tdx', production: false, providers: ['tdx'] },
            verifyTdxQuote: (q, at) => {
                quoteChecks++;
                return trustingTdxVerifier()(q, at);
            },
        });
        const first = await verifier.verify(fakeId.certDer);
        const second = await verifier.verify(fakeId.certDer);
        expect([first.ok, first.cached, second.ok, second.cached]).toEqual([true, false, true, true]);
        allowed = [];
        const revoked = await verifier.verify(fakeId.certDer);
        expect([revoked.ok, revoked.cached]).toEqual([false, true]);
        now = new Date(fakeId.notAfter.getTime() + 1000);
        const expired = await verifier.verify(fakeId.certDer);
        expect([expired.cached, expired.checks.find((c) => !c.ok)!.name]).toEqual([false, 'validity']);

        const root = mkdtempSync(path.join(tmpdir(), 'ratls-tsm-'));
        try {
            const id = await generateIdentity({ provider: new TsmQuoteProvider({ root, fs: simulatedTsm((rd) => syntheticQuote(rd)) }) });
            for (let i = 0; i < 3; i++) expect((await counting.verify(id.certDer)).ok).toBe(true);
            expect(quoteChecks).toBe(1);
            const uncached = new PeerVerifier({ policy: counting.policy, cache: false, verifyTdxQuote: (q, at) => (quoteChecks++, trustingTdxVerifier()(q, at)) });
            for (let i = 0; i < 3; i++) expect((await uncached.verify(id.certDer)).cached).toBe(false);
            expect(quoteChecks).toBe(4);
        } finally {
            rmSync(root, { recursive: true });
        }
    });
});
