/**
 * `npm run bench:attest`: TDX quotes verified per second, without and with Intel collateral (quote-c and its
 * collateral from tests/attest/data). Bounded: each row runs for about a second or at most 20 000 iterations.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { parseCollateral, parseQuote, verifyQuote } from '../../offchain/attest';

const FIXTURES = join(__dirname, '..', '..', 'tests', 'attest', 'data');
const quote = new Uint8Array(readFileSync(join(FIXTURES, 'quote-c.dat')));
const collateral = parseCollateral(readFileSync(join(FIXTURES, 'quote-c.collateral.json'), 'utf8'));
const at = new Date('2025-07-01T00:00:00Z');

function measure(name: string, run: () => boolean): { name: string; n: number; seconds: number } {
    if (!run()) throw new Error(`${name}: verification failed`);
    const start = process.hrtime.bigint();
    let n = 0;
    let seconds = 0;
    while (seconds < 1 && n < 20_000) {
        run();
        n++;
        seconds = Number(process.hrtime.bigint() - start) / 1e9;
    }
    return { name, n, seconds };
}

const rows = [
    measure('parse only', () => parseQuote(quote).header.version === 4),
    measure('verify, signature chain', () => verifyQuote(quote, { at }).ok),
    measure('verify, chain + collateral', () => verifyQuote(quote, { at, collateral }).tcbStatus === 'UpToDate'),
];
const pad = (s: string, n: number) => s.padEnd(n);
console.log(`${pad('case', 28)}${pad('quotes', 10)}${pad('seconds', 10)}quotes/s`);
for (const r of rows) console.log(`${pad(r.name, 28)}${pad(String(r.n), 10)}${pad(r.seconds.toFixed(2), 10)}${Math.round(r.n / r.seconds)}`);
