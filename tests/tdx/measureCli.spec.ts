import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { log as eventLog } from './eventLogBuilder';
import { gitSpecTreeHash, tempDir, writeSample } from './gitReference';

const ROOT = path.join(__dirname, '../..');
function cocoon(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync('node', ['bin/cocoon.js', 'attest', ...args], { cwd: ROOT, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// quote-a.dat's report as `cocoon attest quote --json` prints it (shared/fixtures/tdx/expected.json).
const QUOTE_A_REPORT = {
    version: 4,
    teeType: 129,
    mrTd: 'f2dd2696f69b950645832bdc095ffd11247eeff687eeacdb57a58d2ddb9a9f94fea40c961e19460c00ffa31420ecbc18',
    mrConfigId: '00'.repeat(48),
    mrOwner: '00'.repeat(48),
    mrOwnerConfig: '00'.repeat(48),
    rtmr0: '0998204508d58dcbfebe5e11c48669f7a921ac2da744dfb7d014ecdff2acdff1c9f665fdad52aadacf296a1df9909eb2',
    rtmr1: '383d100224f1716aeb431f7cb3cf028197dbd872487f27b0f6329ab17647dc9953c7014109818634f879e6550bc60f93',
    rtmr2: 'eecfc42ff4d49278bfdbb0c77e570f4490cff10a2ee1ac11fbd2c2b49fa6cfa3cf1a1cb755c72522dd8a689e9d47906a',
    rtmr3: '00'.repeat(48),
    imageHash: 'c7e020362278e57d710dcc553a7e48ed8468da11738c4642dd2f9621abff77c9',
};
const EMPTY_TREE = '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321';

let work: string;
let emptyConfig: string;
let measurements: string;
beforeAll(() => {
    work = tempDir('cli');
    emptyConfig = path.join(work, 'config-empty');
    fs.mkdirSync(emptyConfig);
    measurements = path.join(work, 'measurements.json');
    fs.writeFileSync(measurements, JSON.stringify(QUOTE_A_REPORT));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('cocoon attest spec-hash', () => {
    test('prints the git tree id of a config folder', () => {
        const dir = path.join(work, 'spec');
        writeSample(dir, { 'init': { exec: '#!/bin/sh\n' }, 'proxy.json': '{}\n', 'runtime/runtime.vars': 'A=1\n', 'x.log': 'l', '.gitignore': '*.log\n' });
        const expected = gitSpecTreeHash(dir);
        expect(cocoon('spec-hash', dir)).toEqual({ status: 0, stdout: `${expected}\n`, stderr: '' });
        const copy = path.join(work, 'spec-copy');
        expect(cocoon('spec-hash', dir, '--copy-to', copy)).toEqual({ status: 0, stdout: `${expected}\n`, stderr: '' });
        expect(fs.readdirSync(copy).sort()).toEqual(['init', 'proxy.json', 'runtime']);
    });

    test('bad input: exit 2 and one line on stderr', () => {
        const missing = path.join(work, 'missing');
        expect(cocoon('spec-hash', missing)).toEqual({ status: 2, stdout: '', stderr: `cocoon: config folder ${missing} does not exist\n` });
    });
});

describe('cocoon attest image-hash', () => {
    test('image hash from a measurements JSON (a quote report) and a config folder', () => {
        expect(cocoon('image-hash', '--measurements', measurements, '--config', emptyConfig)).toEqual({
            status: 0,
            stdout: '19f8c4e16077791f16189dd8a9ed7a8a2cdc0b81efa6b5165f0babd7de02d97d\n',
            stderr: '',
        });
        expect(cocoon('image-hash', '--measurements', measurements, '--config', emptyConfig, '--debug').stdout).toBe(
            'abde1eca9014c5b44eda216d29c684d6e37b0ce4754629b1ef633a1c9742e6c3\n',
        );
    });

    test('a reference boot\'s `attest quote --json` report works as the measurements JSON', () => {
        const report = cocoon('quote', path.join(ROOT, 'tests/attest/data/quote-a.dat'), '--json');
        expect(report.status).toBe(0);
        const file = path.join(work, 'reference.json');
        fs.writeFileSync(file, report.stdout);
        expect(cocoon('image-hash', '--measurements', file, '--config', emptyConfig).stdout).toBe(
            '19f8c4e16077791f16189dd8a9ed7a8a2cdc0b81efa6b5165f0babd7de02d97d\n',
        );
    });

    test('--json prints the registers, and a given MROWNER is used', () => {
        const withOwner = path.join(work, 'owner.json');
        fs.writeFileSync(withOwner, JSON.stringify({ ...QUOTE_A_REPORT, mrOwner: '11'.repeat(48) }));
        const r = cocoon('image-hash', '--measurements', withOwner, '--config', emptyConfig, '--json');
        expect(r.status).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual({
            imageHash: 'f915642412421964eeff263df324100c15e835411782139f8e29ead087963344',
            specTreeHash: EMPTY_TREE,
            debug: false,
            mrTd: QUOTE_A_REPORT.mrTd,
            mrConfigId: '00'.repeat(48),
            mrOwner: '11'.repeat(48),
            mrOwnerConfig: '00'.repeat(48),
            rtmr0: QUOTE_A_REPORT.rtmr0,
            rtmr1: QUOTE_A_REPORT.rtmr1,
            rtmr2: QUOTE_A_REPORT.rtmr2,
            rtmr3: '93cf188d6ad7c7c88ee55b267c48e2d5edd983c15cb94c5caa62638f16524ba6496f376943fba45444a87bc08b8be125',
        });
    });

    test('bad measurements name the file and the field', () => {
        const bad = path.join(work, 'bad.json');
        fs.writeFileSync(bad, JSON.stringify({ mrTd: 'abc', rtmr0: '', rtmr1: '', rtmr2: '' }));
        expect(cocoon('image-hash', '--measurements', bad, '--config', emptyConfig)).toEqual({
            status: 2, stdout: '', stderr: `cocoon: ${bad}: mrTd must be 96 hex digits (48 bytes)\n`,
        });
        fs.writeFileSync(bad, JSON.stringify({ mrTd: QUOTE_A_REPORT.mrTd }));
        expect(cocoon('image-hash', '--measurements', bad, '--config', emptyConfig).stderr).toBe(`cocoon: ${bad}: missing rtmr0\n`);
        fs.writeFileSync(bad, '{"mrTd": ');
        expect(cocoon('image-hash', '--measurements', bad, '--config', emptyConfig).stderr).toBe(
            `cocoon: ${bad}: invalid JSON at line 1, column 10: unexpected end of input\n`,
        );
        fs.writeFileSync(bad, '[]');
        expect(cocoon('image-hash', '--measurements', bad, '--config', emptyConfig).stderr).toBe(`cocoon: ${bad}: expected a JSON object\n`);
    });

    test('a missing measurements file, and a missing option', () => {
        const missing = path.join(work, 'none.json');
        expect(cocoon('image-hash', '--measurements', missing, '--config', emptyConfig)).toEqual({
            status: 2, stdout: '', stderr: `cocoon: cannot read measurements ${missing} (ENOENT)\n`,
        });
        const usage = cocoon('image-hash', '--measurements', measurements);
        expect(usage).toEqual({
            status: 2, stdout: '', stderr: "cocoon: required option '--config <dir>' not specified (see cocoon attest image-hash --help)\n",
        });
    });
});

describe('cocoon attest rtmr-replay', () => {
    test('prints RTMR0-3 replayed from a CCEL event log, as text and JSON', () => {
        const file = path.join(work, 'ccel.bin');
        fs.writeFileSync(file, eventLog);
        const rtmr = {
            rtmr0: '1e22f51c704895e9cb551bb1961bac0e4cff3c0545b30525327f44c53117261c97b3a2bd3fa43c8afaaacd1311781dd5',
            rtmr1: 'ce4793860d661fd5bb5c6beb58da6c79c32c0597662c971fb34d0062616ebc85a09ce16ff6ea80934ae5e973a4dc06a5',
            rtmr2: '5013da825490796e4db33ffff72e476fdad898109300b70e7de9642e19adcb337bba0adc31c7dc872bf8d3a54ea247a9',
            rtmr3: '78c9387ac5f53c5077fec824e9180f5dc1a8df3fef4637a7b183f88273957fb042062b74328f9f36d5ed21fcffaab78c',
        };
        expect(cocoon('rtmr-replay', file)).toEqual({
            status: 0,
            stdout: `rtmr0 ${rtmr.rtmr0}\nrtmr1 ${rtmr.rtmr1}\nrtmr2 ${rtmr.rtmr2}\nrtmr3 ${rtmr.rtmr3}\n`,
            stderr: '',
        });
        const listed = cocoon('rtmr-replay', file, '--events');
        expect(listed.stdout.split('\n').slice(0, 2)).toEqual([
            `71 rtmr0 EV_EFI_PLATFORM_FIRMWARE_BLOB ${'22'.repeat(48)} "fw"`,
            `175 - EV_NO_ACTION ${'33'.repeat(48)} <0 bytes>`,
        ]);
        expect(listed.stdout.endsWith(`rtmr3 ${rtmr.rtmr3}\n`)).toBe(true);
        const json = cocoon('rtmr-replay', file, '--json');
        expect(json.status).toBe(0);
        expect(JSON.parse(json.stdout)).toEqual({ ...rtmr, events: 6 });
    });

    test('truncated log and unreadable file', () => {
        const file = path.join(work, 'short.bin');
        fs.writeFileSync(file, eventLog.subarray(0, 95));
        expect(cocoon('rtmr-replay', file)).toEqual({
            status: 2, stdout: '', stderr: 'cocoon: event log: truncated: digest needs 32 bytes, 10 left at offset 85\n',
        });
        const missing = path.join(work, 'nope.bin');
        expect(cocoon('rtmr-replay', missing).stderr).toBe(`cocoon: cannot read event log ${missing} (ENOENT)\n`);
    });
});

describe('cocoon attest gpu-check', () => {
    const fixtures = path.join(__dirname, 'fixtures');
    test('the real H200 with CC off: exit 1, says confidential computing is off', () => {
        expect(cocoon('gpu-check', '--from', path.join(fixtures, 'gpu-cc-off'))).toEqual({
            status: 1,
            stdout: 'GPU check failed: confidential computing is off on the GPU (CC mode OFF)\n',
            stderr: '',
        });
    });

    test('CC on: exit 0', () => {
        const r = cocoon('gpu-check', '--from', path.join(fixtures, 'gpu-cc-on'), '--json');
        expect(r.status).toBe(0);
        expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, reasons: [], ccMode: 'ON', readyState: 'ready' });
    });
});
