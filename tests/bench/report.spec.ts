import { renderReport, type Machine } from '../../scripts/bench/lib/report';
import { markdownTable } from '../../scripts/bench/lib/section';

describe('docs/benchmarks.md', () => {
    const machine: Machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 8, node: 'v20.0.0', os: 'Linux 6 x64', load: [0.5, 1.25] };
    const section = {
        title: 'Libraries',
        table: markdownTable(['case', 'per second', 'baseline'], [['quotes', 7000, 22000]]),
        targets: [
            { what: 'quotes/s ÷ ECDSA verifies/s', measured: '0.32×', target: '≥ 0.3×', met: true },
            { what: 'handshakes ÷ plain mTLS', measured: '71%', target: '≥ 80%', met: false },
        ],
        notes: ['one note'],
    };

    it('has the machine, the date, every target met or missed, then each part', () => {
        const doc = renderReport({ sections: [section], machine, date: new Date('2026-12-07T18:30:00Z'), seconds: 301.4, command: 'npm run bench' });
        expect(doc.split('\n')).toEqual([
            '# Benchmarks',
            '',
            'Written by `npm run bench` on 2026-12-07 18:30 UTC in 301 s.',
            'Machine: Test CPU, 2 cores, 8 GiB, Linux 6 x64, Node v20.0.0; load average 0.50 at the start, 1.25 at the end.',
            'Every figure stands beside its baseline from the same run: the ratios are what to compare between machines.',
            '',
            '## Targets (1 of 2 met)',
            '',
            '| part | what | measured | target | |',
            '|---|---|---:|---:|---|',
            '| Libraries | quotes/s ÷ ECDSA verifies/s | 0.32× | ≥ 0.3× | met |',
            '| Libraries | handshakes ÷ plain mTLS | 71% | ≥ 80% | **missed** |',
            '',
            '## Libraries',
            '',
            '| case | per second | baseline |',
            '|---|---:|---:|',
            '| quotes | 7000 | 22000 |',
            '',
            '- one note',
            '',
        ]);
    });
});
