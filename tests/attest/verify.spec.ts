import { acceptsTcb, computeImageHash, CHECKS, parseCollateral, verifyQuote } from '../../offchain/attest';
import { collateralText, expected, expectedFields, quoteBytes, QUOTE_FILES, quoteCCollateral, VERIFY_AT } from './fixtures';

const CHAIN_CHECKS = ['parse', 'quote signature', 'QE report signature', 'QE report data binding', 'PCK chain', 'root pin'];
const ALL_CHECKS = Object.values(CHECKS);

describe('verifyQuote on real quotes', () => {
    it.each(QUOTE_FILES)('%s: every field equals expected.json and the signature chain is valid', (file) => {
        const report = verifyQuote(quoteBytes(file), { at: VERIFY_AT });
        for (const [key, value] of Object.entries(expectedFields(file))) expect([key, report[key as keyof typeof report]]).toEqual([key, value]);
        expect(report.ok).toBe(true);
        expect(report.signatureChainValid).toBe(true);
        expect(report.debug).toBe(false);
        expect(report.checks).toEqual(CHAIN_CHECKS.map((name) => ({ name, ok: true })));
        expect(report.tcbStatus).toBeUndefined();
    });

    it('quote-c with its collateral at verifyAt: UpToDate with exactly the expected advisory IDs', () => {
        const { tcbStatus, advisoryIds } = expected['quote-c.dat'].collateral!;
        const report = verifyQuote(quoteBytes('quote-c.dat'), { collateral: quoteCCollateral(), at: VERIFY_AT });
        expect(report.checks.map((c) => [c.name, c.ok])).toEqual(ALL_CHECKS.map((n) => [n, true]));
        expect(report.checks.find((c) => c.name === 'TCB level match')!.detail).toBe(
            'UpToDate (platform TCB level 2024-03-13T00:00:00Z: UpToDate; TDX_01 SVN 6: UpToDate)',
        );
        expect(report.ok).toBe(true);
        expect(report.tcbStatus).toBe(tcbStatus);
        expect(report.advisoryIds).toEqual(advisoryIds);
        expect(acceptsTcb(report)).toBe(true);
        expect(acceptsTcb(report, ['OutOfDate'])).toBe(false);
    });

    it.each([
        ['before the PCK CRL and TCB info were issued', '2025-06-01T00:00:00Z', 'valid 2025-06-19T10:00:35.000Z to 2025-07-19T10:00:35.000Z'],
        ['after their next update', '2025-08-01T00:00:00Z', 'valid 2025-06-19T10:00:35.000Z to 2025-07-19T10:00:35.000Z'],
    ])('collateral %s is rejected, naming each window', (_what, iso, pckCrlWindow) => {
        const at = new Date(iso);
        const report = verifyQuote(quoteBytes('quote-c.dat'), { collateral: quoteCCollateral(), at });
        const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
        expect(report.ok).toBe(false);
        expect(report.signatureChainValid).toBe(true);
        expect(report.tcbStatus).toBeUndefined();
        expect(byName['CRL signatures and validity']).toEqual({
            name: 'CRL signatures and validity',
            ok: false,
            detail: `PCK CRL is not valid at ${at.toISOString()} (${pckCrlWindow})`,
        });
        expect(byName['TCB info signature and validity'].detail).toBe(
            `TCB info is not valid at ${at.toISOString()} (valid 2025-06-19T10:16:03.000Z to 2025-07-19T10:16:03.000Z)`,
        );
        expect(byName['QE identity'].detail).toBe(
            `QE identity is not valid at ${at.toISOString()} (valid 2025-06-19T10:32:27.000Z to 2025-07-19T10:32:27.000Z)`,
        );
        expect(byName['TCB level match'].detail).toBe('not checked: TCB info, QE identity or PCK chain did not verify');
    });

    it('names what broke: the body, an attestation key off the curve, the QE auth data', () => {
        const flip = (offset: number) => {
            const bytes = quoteBytes('quote-c.dat');
            bytes[offset] ^= 1;
            return verifyQuote(bytes).checks.filter((c) => !c.ok);
        };
        expect(flip(300)).toEqual([{ name: 'quote signature', ok: false, detail: 'quote signature does not verify with the attestation key' }]);
        expect(flip(700)).toEqual([
            { name: 'quote signature', ok: false, detail: 'attestation key is not a P-256 point' },
            { name: 'QE report data binding', ok: false, detail: 'QE report data is not SHA-256(attestation key ‖ QE auth data)' },
        ]);
        expect(flip(1230)).toEqual([
            { name: 'QE report data binding', ok: false, detail: 'QE report data is not SHA-256(attestation key ‖ QE auth data)' },
        ]);
        expect(flip(1200)).toEqual([
            { name: 'QE report signature', ok: false, detail: 'QE report signature does not verify with the PCK certificate key' },
        ]);
    });

    it('a PCK certificate outside its validity fails the PCK chain check', () => {
        const at = new Date('2024-01-01T00:00:00Z');
        const report = verifyQuote(quoteBytes('quote-c.dat'), { at });
        expect(report.signatureChainValid).toBe(false);
        expect(report.checks[4]).toEqual({
            name: 'PCK chain',
            ok: false,
            detail:
                'PCK chain certificate 1 (CN=Intel SGX PCK Certificate, O=Intel Corporation, L=Santa Clara, ST=CA, C=US): not valid at ' +
                '2024-01-01T00:00:00.000Z (valid 2025-02-06T23:25:51.000Z to 2032-02-06T23:25:51.000Z)',
        });
    });

    it('collateral for another platform (FMSPC) does not rate quote-a', () => {
        const report = verifyQuote(quoteBytes('quote-a.dat'), { collateral: quoteCCollateral(), at: VERIFY_AT });
        expect(report.signatureChainValid).toBe(true);
        expect(report.checks[10]).toEqual({
            name: 'TCB level match',
            ok: false,
            detail: 'TCB info is for FMSPC B0C06F000000, the PCK certificate for 90C06F000000',
        });
        expect(report.ok).toBe(false);
        expect(report.tcbStatus).toBeUndefined();
    });

    it('quote-b shares quote-c FMSPC: the same collateral rates it UpToDate (TDX module SVN 5)', () => {
        const report = verifyQuote(quoteBytes('quote-b.dat'), { collateral: quoteCCollateral(), at: VERIFY_AT });
        expect(report.checks[10].detail).toBe('UpToDate (platform TCB level 2024-03-13T00:00:00Z: UpToDate; TDX_01 SVN 5: UpToDate)');
        expect([report.ok, report.tcbStatus, report.advisoryIds]).toEqual([true, 'UpToDate', []]);
    });

    it('a TCB info whose text was altered after signing fails its signature', () => {
        const json = JSON.parse(collateralText());
        json.tcb_info = json.tcb_info.replace('"OutOfDate"', '"UpToDate"');
        const report = verifyQuote(quoteBytes('quote-c.dat'), { collateral: parseCollateral(json), at: VERIFY_AT });
        expect(report.checks.find((c) => c.name === 'TCB info signature and validity')).toEqual({
            name: 'TCB info signature and validity',
            ok: false,
            detail: 'TCB info signature does not verify',
        });
        expect(report.ok).toBe(false);
    });
});

describe('computeImageHash', () => {
    it.each(QUOTE_FILES)('%s: equals expected.json from hex and from bytes', (file) => {
        const e = expected[file] as Record<string, string>;
        const regs = ['mrTd', 'mrConfigId', 'mrOwner', 'mrOwnerConfig', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'] as const;
        const hex = Object.fromEntries(regs.map((r) => [r, e[r]])) as Record<(typeof regs)[number], string>;
        const bytes = Object.fromEntries(regs.map((r) => [r, Buffer.from(e[r], 'hex')])) as Record<(typeof regs)[number], Buffer>;
        expect(computeImageHash(hex)).toBe(e.imageHash);
        expect(computeImageHash(bytes)).toBe(e.imageHash);
    });

    it('all-zero registers give the fake-TDX hash from the spec', () => {
        const z = '00'.repeat(48);
        expect(computeImageHash({ mrTd: z, mrConfigId: z, mrOwner: z, mrOwnerConfig: z, rtmr0: z, rtmr1: z, rtmr2: z, rtmr3: z })).toBe(
            '5c55c8f4db4010ba9203d83536d0609856af8c847ac039e37e7dde8fbd574b61',
        );
    });

    it('rejects a register of the wrong size', () => {
        const z = '00'.repeat(48);
        expect(() =>
            computeImageHash({ mrTd: '00', mrConfigId: z, mrOwner: z, mrOwnerConfig: z, rtmr0: z, rtmr1: z, rtmr2: z, rtmr3: z }),
        ).toThrow('mrTd must be 48 bytes (96 hex digits)');
    });
});
