import { parseQuote, verifyQuote } from '../../offchain/attest';
import { quoteBytes } from './fixtures';

const PARSE = 'parse';
const QUOTE_SIG = 'quote signature';
const QE_SIG = 'QE report signature';
const BINDING = 'QE report data binding';
const PCK_CHAIN = 'PCK chain';

interface Region {
    name: string;
    start: number;
    end: number;
    /** Which failed-check lists are right for a flipped byte in this region. */
    accepts: (failed: string[]) => boolean;
}

const exactly = (...names: string[]) => (failed: string[]) => failed.join('+') === names.join('+');
const includes = (name: string) => (failed: string[]) => failed.includes(name);

/** The quote's regions, located from the parsed layout (v4: signature data at 636). */
function regions(bytes: Uint8Array): Region[] {
    const q = parseQuote(bytes);
    const sig = q.signedPart.length + 4;
    const qe = sig + 128 + 6;
    const auth = qe + 384 + 64 + 2;
    const pem = auth + q.qeAuthData.length + 6;
    return [
        { name: 'header: version, key type, TEE type', start: 0, end: 8, accepts: includes(PARSE) },
        { name: 'header: rest (signed)', start: 8, end: 48, accepts: exactly(QUOTE_SIG) },
        { name: 'TD report body (signed)', start: 48, end: q.signedPart.length, accepts: exactly(QUOTE_SIG) },
        { name: 'signature data length', start: sig - 4, end: sig, accepts: includes(PARSE) },
        { name: 'quote signature', start: sig, end: sig + 64, accepts: exactly(QUOTE_SIG) },
        { name: 'attestation key', start: sig + 64, end: sig + 128, accepts: exactly(QUOTE_SIG, BINDING) },
        { name: 'certification data header', start: sig + 128, end: qe, accepts: includes(PARSE) },
        { name: 'QE report', start: qe, end: qe + 384, accepts: includes(QE_SIG) },
        { name: 'QE report signature', start: qe + 384, end: qe + 448, accepts: exactly(QE_SIG) },
        { name: 'QE auth data size', start: auth - 2, end: auth, accepts: includes(PARSE) },
        { name: 'QE auth data', start: auth, end: auth + q.qeAuthData.length, accepts: exactly(BINDING) },
        { name: 'PCK chain header', start: pem - 6, end: pem, accepts: includes(PARSE) },
        { name: 'PCK certificates (PEM)', start: pem, end: pem + q.pckChainData.length, accepts: includes(PCK_CHAIN) },
    ];
}

/** Flips one bit of each chosen byte; returns the offsets where verification did not fail as the region requires. */
function survivors(file: string, stride: number): { checked: number; wrong: string[] } {
    const original = quoteBytes(file);
    const wrong: string[] = [];
    let checked = 0;
    for (const region of regions(original)) {
        for (let i = region.start; i < region.end; i += stride) {
            const copy = new Uint8Array(original);
            copy[i] ^= 0x01;
            const report = verifyQuote(copy);
            const failed = report.checks.filter((c) => !c.ok).map((c) => c.name);
            if (report.ok || report.signatureChainValid || !region.accepts(failed)) wrong.push(`${region.name} @${i}: ${failed.join('+')}`);
            checked++;
        }
    }
    return { checked, wrong };
}

// A full pass over one quote is ~5000 verifications (~25 s on this machine, a fresh certificate parse per flipped
// certificate byte), so quote-c gets every byte and the other two a stride of 11.
describe('single-byte tampering fails verification', () => {
    it('quote-c: every byte of header, TD report, signatures, attestation key, QE report, auth data and PCK chain', () => {
        const { checked, wrong } = survivors('quote-c.dat', 1);
        expect(checked).toBe(4936);
        expect(wrong).toEqual([]);
    }, 300_000);

    it.each(['quote-a.dat', 'quote-b.dat'])('%s: every 11th byte of each region', (file) => {
        const { checked, wrong } = survivors(file, 11);
        expect(checked).toBeGreaterThan(440);
        expect(wrong).toEqual([]);
    }, 120_000);

    it('the untouched quotes pass, so the loop above can fail', () => {
        for (const f of ['quote-a.dat', 'quote-b.dat', 'quote-c.dat']) expect(verifyQuote(quoteBytes(f)).ok).toBe(true);
    });
});
