import { acceptsTcb, parseCollateral, verifyQuote } from '../../offchain/attest';
import { buildQuote, FakeCollateralOptions, FakePki, makeFakeCollateral, makeFakePki } from './fakePki';
import { VERIFY_AT } from './fixtures';

// Intel's TCB info for FMSPC B0C06F000000 has an UpToDate level (pcesvn 11, 2024-03-13) and an OutOfDate level
// (pcesvn 5, 2018-01-04, 14 advisories). quote-c's platform meets the first; raising its PCESVN moves it down.
const OUT_OF_DATE_ADVISORIES = [
    'INTEL-SA-00106', 'INTEL-SA-00115', 'INTEL-SA-00135', 'INTEL-SA-00203', 'INTEL-SA-00220', 'INTEL-SA-00233', 'INTEL-SA-00270',
    'INTEL-SA-00293', 'INTEL-SA-00320', 'INTEL-SA-00329', 'INTEL-SA-00381', 'INTEL-SA-00389', 'INTEL-SA-00477', 'INTEL-SA-00837',
];

let pki: FakePki;
let quote: Uint8Array;
beforeAll(async () => {
    pki = await makeFakePki();
    quote = await buildQuote(pki, { version: 4 });
});

async function verifyWith(opts: FakeCollateralOptions) {
    const collateral = parseCollateral(await makeFakeCollateral(pki, opts));
    return verifyQuote(quote, { collateral, at: VERIFY_AT, rootKeyHash: pki.rootKeyHash });
}

const levelCheck = (r: ReturnType<typeof verifyQuote>) => r.checks.find((c) => c.name === 'TCB level match');

describe('TCB status from collateral', () => {
    it('a platform below the UpToDate level is OutOfDate with that level advisories; policy rejects it', async () => {
        const r = await verifyWith({ editTcbInfo: (t) => (t.tcbLevels[0].tcb.pcesvn = 99) });
        expect([r.ok, r.tcbStatus, r.advisoryIds]).toEqual([true, 'OutOfDate', OUT_OF_DATE_ADVISORIES]);
        expect(levelCheck(r)!.detail).toBe('OutOfDate (platform TCB level 2018-01-04T00:00:00Z: OutOfDate; TDX_01 SVN 6: UpToDate)');
        expect(acceptsTcb(r)).toBe(false);
        expect(acceptsTcb(r, ['UpToDate', 'OutOfDate'])).toBe(true);
    });

    it('SWHardeningNeeded is reported as such, with its advisories', async () => {
        const r = await verifyWith({
            editTcbInfo: (t) => {
                t.tcbLevels[0].tcbStatus = 'SWHardeningNeeded';
                t.tcbLevels[0].advisoryIDs = ['INTEL-SA-00615'];
            },
        });
        expect([r.tcbStatus, r.advisoryIds, acceptsTcb(r)]).toEqual(['SWHardeningNeeded', ['INTEL-SA-00615'], false]);
    });

    it('an out-of-date QE makes an UpToDate platform OutOfDate and adds the QE advisories', async () => {
        const r = await verifyWith({
            editQeIdentity: (q) =>
                (q.tcbLevels = [
                    { tcb: { isvsvn: 8 }, tcbDate: '2025-01-01T00:00:00Z', tcbStatus: 'UpToDate' },
                    { tcb: { isvsvn: 4 }, tcbDate: '2024-03-13T00:00:00Z', tcbStatus: 'OutOfDate', advisoryIDs: ['INTEL-SA-01111'] },
                ]),
        });
        expect(r.checks.find((c) => c.name === 'QE identity')!.detail).toBe('QE ISVSVN 6: OutOfDate');
        expect([r.ok, r.tcbStatus, r.advisoryIds]).toEqual([true, 'OutOfDate', ['INTEL-SA-01111']]);
    });

    it('an out-of-date TDX module with ConfigurationNeeded platform gives OutOfDateConfigurationNeeded', async () => {
        const r = await verifyWith({
            editTcbInfo: (t) => {
                t.tcbLevels[0].tcbStatus = 'ConfigurationNeeded';
                t.tdxModuleIdentities[1].tcbLevels[0].tcb.isvsvn = 9; // TDX_01 now needs SVN 9 for UpToDate; quote has 6
                t.tdxModuleIdentities[1].tcbLevels[1].tcb.isvsvn = 6;
            },
        });
        expect([r.ok, r.tcbStatus]).toEqual([true, 'OutOfDateConfigurationNeeded']);
    });

    it('a Revoked platform level fails the TCB level check', async () => {
        const r = await verifyWith({ editTcbInfo: (t) => (t.tcbLevels[0].tcbStatus = 'Revoked') });
        expect(levelCheck(r)).toEqual({ name: 'TCB level match', ok: false, detail: 'Revoked (platform TCB is revoked; TDX_01 SVN 6: UpToDate)' });
        expect([r.ok, r.tcbStatus]).toEqual([false, 'Revoked']);
    });

    it('a platform below every level, a missing module identity, another QE signer: no status, named failures', async () => {
        const below = await verifyWith({ editTcbInfo: (t) => t.tcbLevels.forEach((l: { tcb: { pcesvn: number } }) => (l.tcb.pcesvn = 99)) });
        expect(levelCheck(below)).toEqual({ name: 'TCB level match', ok: false, detail: 'PCK TCB is below every SGX TCB level' });
        const noModule = await verifyWith({ editTcbInfo: (t) => (t.tdxModuleIdentities = [t.tdxModuleIdentities[0]]) });
        expect(levelCheck(noModule)).toEqual({ name: 'TCB level match', ok: false, detail: 'TCB info has no TDX module identity TDX_01' });
        const signer = await verifyWith({ editQeIdentity: (q) => (q.mrsigner = '00'.repeat(32)) });
        expect(signer.checks.find((c) => c.name === 'QE identity')).toEqual({
            name: 'QE identity',
            ok: false,
            detail: 'QE MRSIGNER does not match the QE identity',
        });
        for (const r of [below, noModule, signer]) expect([r.ok, r.tcbStatus]).toEqual([false, undefined]);
    });

    it('malformed signed TCB info is a failed check naming the field', async () => {
        const r = await verifyWith({ editTcbInfo: (t) => (t.fmspc = 'B0C06F') });
        expect(r.checks.find((c) => c.name === 'TCB info signature and validity')).toEqual({
            name: 'TCB info signature and validity',
            ok: false,
            detail: 'tcbInfo.fmspc must be 6 bytes of hex',
        });
    });
});
