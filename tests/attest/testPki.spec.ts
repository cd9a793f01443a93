import { INTEL_SGX_ROOT_KEY_SHA384, parseCollateral, parseQuote, verifyQuote } from '../../offchain/attest';
import { buildQuote, FakePki, makeFakeCollateral, makeFakePki, pem, signRaw } from './fakePki';
import { VERIFY_AT } from './fixtures';

let pki: FakePki;
beforeAll(async () => {
    pki = await makeFakePki();
});

const failed = (report: ReturnType<typeof verifyQuote>) => report.checks.filter((c) => !c.ok);

describe('a PCK chain that ends in another root', () => {
    it('is rejected by the root pin, every other signature check passing', async () => {
        const report = verifyQuote(await buildQuote(pki, { version: 4 }), { at: VERIFY_AT });
        expect(failed(report)).toEqual([
            {
                name: 'root pin',
                ok: false,
                detail: `PCK chain root key SHA-384 ${pki.rootKeyHash} is not the pinned root ${INTEL_SGX_ROOT_KEY_SHA384}`,
            },
        ]);
        expect(report.collateralRootHash).toBe(pki.rootKeyHash);
        expect(report.signatureChainValid).toBe(false);
        expect(report.ok).toBe(false);
    });

    it('passes when that root is the one pinned (test PKI), so the pin is what rejected it', async () => {
        const report = verifyQuote(await buildQuote(pki, { version: 4 }), { at: VERIFY_AT, rootKeyHash: pki.rootKeyHash });
        expect(failed(report)).toEqual([]);
        expect(report.signatureChainValid).toBe(true);
    });
});

describe('quote v5', () => {
    it.each([
        [false, 'td10', 632 + 6],
        [true, 'td15', 632 + 6 + 64],
    ] as const)('td15=%s: parses as %s and verifies end to end', async (td15, bodyType, signedLength) => {
        const bytes = await buildQuote(pki, { version: 5, td15 });
        const quote = parseQuote(bytes);
        expect([quote.header.version, quote.bodyType, quote.signedPart.length]).toEqual([5, bodyType, signedLength]);
        if (td15) expect(Buffer.from(quote.body.mrServiceTd!).equals(Buffer.alloc(48, 0x22))).toBe(true);
        const report = verifyQuote(bytes, { at: VERIFY_AT, rootKeyHash: pki.rootKeyHash });
        expect([report.ok, report.version, report.mrTd]).toEqual([
            true,
            5,
            '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7',
        ]);
        const tampered = new Uint8Array(bytes);
        tampered[quote.signedPart.length - 1] ^= 1; // last body byte: MRSERVICETD for TD 1.5
        expect(failed(verifyQuote(tampered, { at: VERIFY_AT, rootKeyHash: pki.rootKeyHash })).map((c) => c.name)).toEqual(['quote signature']);
    });
});

describe('revocation with a test CA', () => {
    const opts = async (revoked: { revokedPck?: string[]; revokedByRoot?: string[] }) => ({
        at: VERIFY_AT,
        rootKeyHash: pki.rootKeyHash,
        collateral: parseCollateral(await makeFakeCollateral(pki, revoked)),
    });

    it('with CRLs that list nothing, the test quote is UpToDate', async () => {
        const report = verifyQuote(await buildQuote(pki, { version: 4 }), await opts({}));
        expect(failed(report)).toEqual([]);
        expect([report.ok, report.tcbStatus, report.advisoryIds]).toEqual([true, 'UpToDate', []]);
    });

    it('a PCK certificate listed in the PCK CRL is rejected', async () => {
        const serial = pki.pck.cert.serialNumber.toLowerCase();
        const report = verifyQuote(await buildQuote(pki, { version: 4 }), await opts({ revokedPck: [serial] }));
        expect(failed(report)).toEqual([
            { name: 'PCK revocation', ok: false, detail: `PCK certificate CN=Test SGX PCK Certificate (serial ${serial}) is revoked` },
        ]);
        expect(report.ok).toBe(false);
        expect(report.signatureChainValid).toBe(true);
    });

    it('a PCK CA listed in the root CA CRL is rejected', async () => {
        const serial = pki.pckCa.cert.serialNumber.toLowerCase();
        const report = verifyQuote(await buildQuote(pki, { version: 4 }), await opts({ revokedByRoot: [serial] }));
        expect(failed(report)).toEqual([
            {
                name: 'CRL signatures and validity',
                ok: false,
                detail: `PCK CRL issuer certificate CN=Test SGX PCK Platform CA (serial ${serial}) is revoked`,
            },
            { name: 'PCK revocation', ok: false, detail: 'not checked: CRLs did not verify' },
        ]);
    });

    it('a PCK CRL signed by another key is rejected', async () => {
        const other = await makeFakePki();
        const forged = await makeFakeCollateral(other, {});
        const collateral = { ...(await makeFakeCollateral(pki, {})), pck_crl: forged.pck_crl };
        const report = verifyQuote(await buildQuote(pki, { version: 4 }), {
            at: VERIFY_AT,
            rootKeyHash: pki.rootKeyHash,
            collateral: parseCollateral(collateral),
        });
        expect(failed(report)[0]).toEqual({ name: 'CRL signatures and validity', ok: false, detail: 'PCK CRL signature does not verify' });
    });

    it.each([
        ['a PCK leaf key (chain of 3)', 'pck', 3, 'TCB info issuer chain: expected the signer and the root, got 3 certificate(s)'],
        ['the PCK CA key', 'pckCa', 2, 'TCB info issuer chain: the signer must not be a CA'],
    ] as const)('TCB info signed by %s is rejected even though it chains to the root', async (_what, signer, length, detail) => {
        const collateral = await makeFakeCollateral(pki, {});
        const chain = signer === 'pck' ? [pki.pck.cert, pki.pckCa.cert, pki.root.cert] : [pki.pckCa.cert, pki.root.cert];
        expect(chain).toHaveLength(length);
        const signature = await signRaw(pki[signer].keys.privateKey, Buffer.from(collateral.tcb_info));
        const forged = { ...collateral, tcb_info_issuer_chain: pem(...chain), tcb_info_signature: Buffer.from(signature).toString('hex') };
        const report = verifyQuote(await buildQuote(pki, { version: 4 }), {
            at: VERIFY_AT,
            rootKeyHash: pki.rootKeyHash,
            collateral: parseCollateral(forged),
        });
        expect(failed(report).slice(0, 1)).toEqual([{ name: 'TCB info signature and validity', ok: false, detail }]);
        expect(report.tcbStatus).toBeUndefined();
    });
});
