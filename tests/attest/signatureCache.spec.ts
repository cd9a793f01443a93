import { parseCollateral, parseQuote, verifyQuote, type Collateral, type VerifyOptions } from '../../offchain/attest';
import { parseChain } from '../../offchain/attest/chain';
import { SignatureCache } from '../../offchain/attest/signatureCache';
import { buildQuote, makeFakeCollateral, makeFakePki, type FakePki } from './fakePki';
import { quoteBytes, quoteCCollateral, VERIFY_AT } from './fixtures';

const failed = (report: ReturnType<typeof verifyQuote>) => report.checks.filter((c) => !c.ok).map((c) => c.name);

/** The report with every signature verified afresh: what a cached verification must equal. */
const uncached = (bytes: Uint8Array, opts: VerifyOptions) => verifyQuote(bytes, { ...opts, signatureCache: false });

/** Offsets of quote regions (v4 layout): the quote signature and the QE report. */
function regions(bytes: Uint8Array): { quoteSignature: number; qeReport: number } {
    const sig = parseQuote(bytes).signedPart.length + 4;
    return { quoteSignature: sig, qeReport: sig + 128 + 6 };
}

function flipped(bytes: Uint8Array, offset: number): Uint8Array {
    const copy = new Uint8Array(bytes);
    copy[offset] ^= 1;
    return copy;
}

/**
 * quote-c with the last byte of its PCK leaf's signature changed and the chain re-encoded in place (same length): the
 * quote and QE report signatures still verify, only the chain does not.
 */
function withForgedLeafSignature(bytes: Uint8Array): Uint8Array {
    const quote = parseQuote(bytes);
    const text = Buffer.from(quote.pckChainData).toString('latin1');
    const begin = text.indexOf('-----BEGIN CERTIFICATE-----\n') + 28;
    const end = text.indexOf('-----END CERTIFICATE-----');
    const der = Buffer.from(text.slice(begin, end).replace(/\n/g, ''), 'base64');
    der[der.length - 1] ^= 1; // the last byte of the ECDSA s INTEGER: still DER, no longer the signature
    const pem = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '') + '\n';
    expect(pem.length).toBe(end - begin);
    const copy = new Uint8Array(bytes);
    const chainStart = quote.pckChainData.byteOffset - bytes.byteOffset;
    copy.set(Buffer.from(pem, 'latin1'), chainStart + begin);
    return copy;
}

describe('the signature cache gives the uncached result', () => {
    const quote = quoteBytes('quote-c.dat');
    const collateral = quoteCCollateral();
    const good: VerifyOptions = { at: VERIFY_AT, collateral };

    it('for a good quote with collateral: 14 signature lookups, 9 verified once, every one a hit the second time', () => {
        const cache = new SignatureCache();
        const expected = uncached(quote, good);
        expect([expected.ok, expected.tcbStatus]).toEqual([true, 'UpToDate']);
        expect(verifyQuote(quote, { ...good, signatureCache: cache })).toEqual(expected);
        // QE report 1, PCK chain 3 (leaf, PCK CA, root), root CA CRL 1, PCK CRL 1, TCB signing certificate 1, TCB
        // info and QE identity texts 2 are new; the PCK CRL issuer chain and the QE identity chain repeat known
        // certificates. The signature over the quote's body is not cached and not counted.
        expect([cache.misses, cache.hits]).toEqual([9, 5]);
        expect(verifyQuote(quote, { ...good, signatureCache: cache })).toEqual(expected);
        expect([cache.misses, cache.hits]).toEqual([9, 19]);
    });

    it.each([
        ['a tampered quote signature', (b: Uint8Array) => flipped(b, regions(b).quoteSignature + 10), ['quote signature'], 0],
        // byte 100 of the QE report is reserved: only the signature over it notices, verified afresh
        ['a tampered QE report', (b: Uint8Array) => flipped(b, regions(b).qeReport + 100), ['QE report signature'], 1],
    ])('for %s, after the good quote warmed the cache (the chain and collateral come from it)', (_what, tamper, failures, verified) => {
        const cache = new SignatureCache();
        verifyQuote(quote, { ...good, signatureCache: cache });
        const bad = tamper(quote);
        const expected = uncached(bad, good);
        expect(failed(expected)).toEqual(failures);
        const misses = cache.misses;
        expect(verifyQuote(bad, { ...good, signatureCache: cache })).toEqual(expected);
        expect(cache.misses).toBe(misses + verified);
    });

    it('for an expired PCK certificate at a later time, although its signature result is cached', () => {
        const leaf = parseChain(parseQuote(quote).pckChainData, 'PCK chain')[0];
        const later = new Date(leaf.notAfter.getTime() + 1000);
        const cache = new SignatureCache();
        expect(verifyQuote(quote, { at: VERIFY_AT, signatureCache: cache }).ok).toBe(true);
        const expected = uncached(quote, { at: later });
        expect(expected.checks.find((c) => !c.ok)).toEqual({
            name: 'PCK chain',
            ok: false,
            detail: `PCK chain certificate 1 (${leaf.subjectText}): not valid at ${later.toISOString()} (valid ${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()})`,
        });
        const [misses, hits] = [cache.misses, cache.hits];
        expect(verifyQuote(quote, { at: later, signatureCache: cache })).toEqual(expected);
        // the QE report's and the leaf's signature results came from the cache; the leaf's validity, checked next, failed
        expect([cache.misses, cache.hits]).toEqual([misses, hits + 2]);
    });

    it('for collateral past its nextUpdate, although its signatures are cached', () => {
        const cache = new SignatureCache();
        verifyQuote(quote, { ...good, signatureCache: cache });
        const late: VerifyOptions = { at: new Date('2025-08-01T00:00:00Z'), collateral };
        const expected = uncached(quote, late);
        expect(failed(expected)).toEqual(['CRL signatures and validity', 'PCK revocation', 'TCB info signature and validity', 'QE identity', 'TCB level match']);
        expect(verifyQuote(quote, { ...late, signatureCache: cache })).toEqual(expected);
    });

    it('for a forged PCK leaf signature, which is verified (and fails) although the good chain is cached', () => {
        const cache = new SignatureCache();
        verifyQuote(quote, { ...good, signatureCache: cache });
        const forged = withForgedLeafSignature(quote);
        const expected = uncached(forged, good);
        const leaf = parseChain(parseQuote(quote).pckChainData, 'PCK chain')[0];
        expect(expected.checks.filter((c) => !c.ok)).toEqual([
            { name: 'PCK chain', ok: false, detail: `PCK chain certificate 1 (${leaf.subjectText}): signature does not verify` },
        ]);
        const misses = cache.misses;
        expect(verifyQuote(forged, { ...good, signatureCache: cache })).toEqual(expected);
        // the forged leaf is another certificate: its signature, and the QE report's under its key, are verified afresh
        expect(cache.misses).toBe(misses + 2);
        // and the forged result does not stick to the good chain
        expect(verifyQuote(quote, { ...good, signatureCache: cache }).ok).toBe(true);
    });

    it('for collateral whose TCB info signature was changed, which is verified (and fails)', () => {
        const cache = new SignatureCache();
        verifyQuote(quote, { ...good, signatureCache: cache });
        const signature = Uint8Array.from(collateral.tcbInfoSignature);
        signature[5] ^= 1;
        const bad: VerifyOptions = { at: VERIFY_AT, collateral: { ...collateral, tcbInfoSignature: signature } };
        const expected = uncached(quote, bad);
        expect(expected.checks.find((c) => !c.ok)).toEqual({ name: 'TCB info signature and validity', ok: false, detail: 'TCB info signature does not verify' });
        expect(verifyQuote(quote, { ...bad, signatureCache: cache })).toEqual(expected);
        expect(verifyQuote(quote, { ...good, signatureCache: cache }).ok).toBe(true);
    });
});

describe('the signature cache with a revoking CRL (test PKI)', () => {
    let pki: FakePki;
    let quote: Uint8Array;
    let clean: Collateral;
    let revoking: Collateral;
    beforeAll(async () => {
        pki = await makeFakePki();
        quote = await buildQuote(pki, { version: 4 });
        clean = parseCollateral(await makeFakeCollateral(pki, {}));
        revoking = parseCollateral(await makeFakeCollateral(pki, { revokedPck: [pki.pck.cert.serialNumber.toLowerCase()] }));
    });

    it('rejects the revoked PCK certificate exactly as without the cache, whether the clean or the revoking CRL came first', () => {
        const opts = (collateral: Collateral): VerifyOptions => ({ at: VERIFY_AT, rootKeyHash: pki.rootKeyHash, collateral });
        const expected = uncached(quote, opts(revoking));
        expect(failed(expected)).toEqual(['PCK revocation']);
        expect(uncached(quote, opts(clean)).ok).toBe(true);

        const cleanFirst = new SignatureCache();
        expect(verifyQuote(quote, { ...opts(clean), signatureCache: cleanFirst }).ok).toBe(true);
        expect(verifyQuote(quote, { ...opts(revoking), signatureCache: cleanFirst })).toEqual(expected);

        const revokingFirst = new SignatureCache();
        expect(verifyQuote(quote, { ...opts(revoking), signatureCache: revokingFirst })).toEqual(expected);
        expect([revokingFirst.misses, revokingFirst.hits]).toEqual([9, 5]);
        expect(verifyQuote(quote, { ...opts(revoking), signatureCache: revokingFirst })).toEqual(expected);
        expect([revokingFirst.misses, revokingFirst.hits]).toEqual([9, 19]);
    });
});

describe('SignatureCache bounds', () => {
    it('keeps at most maxEntries signed texts: one pushed out is verified again', () => {
        const collateral = quoteCCollateral();
        const signer = parseChain(collateral.tcbInfoIssuerChain, 'TCB info issuer chain')[0];
        const cache = new SignatureCache(1);
        const tcbInfo = () => cache.textSignedBy(collateral.tcbInfo, collateral.tcbInfoSignature, signer);
        const qeIdentity = () => cache.textSignedBy(collateral.qeIdentity, collateral.qeIdentitySignature, signer);
        expect([tcbInfo(), tcbInfo(), qeIdentity(), tcbInfo()]).toEqual([true, true, true, true]);
        expect([cache.misses, cache.hits]).toEqual([3, 1]);
    });

    it('a text with another signature or signer is verified, not taken from the entry of the text', () => {
        const collateral = quoteCCollateral();
        const [signer, root] = parseChain(collateral.tcbInfoIssuerChain, 'TCB info issuer chain');
        const cache = new SignatureCache();
        const forged = Uint8Array.from(collateral.tcbInfoSignature);
        forged[0] ^= 1;
        expect(cache.textSignedBy(collateral.tcbInfo, collateral.tcbInfoSignature, signer)).toBe(true);
        expect(cache.textSignedBy(collateral.tcbInfo, forged, signer)).toBe(false);
        expect(cache.textSignedBy(collateral.tcbInfo, collateral.tcbInfoSignature, root)).toBe(false);
        expect([cache.misses, cache.hits]).toEqual([3, 0]);
    });
});
