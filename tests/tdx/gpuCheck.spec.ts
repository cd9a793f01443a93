import * as fs from 'fs';
import * as path from 'path';
import { checkGpuConfidentialComputing } from '../../tdx/src/gpu/ccCheck';
import { evidenceFromDir, evidenceFromNvidiaSmi } from '../../tdx/src/gpu/collect';
import { parseCcFeature, parseCcQuery, parseCcReadyState, parseSmiXml } from '../../tdx/src/gpu/nvidiaSmi';
import { parseXml } from '../../tdx/src/gpu/xml';
import { GpuOutputError } from '../../tdx/src/errors';
import { tempDir } from './gitReference';

const REAL_CC_OFF = path.join(__dirname, 'fixtures/gpu-cc-off'); // copy of shared/fixtures/gpu
const SYNTH_CC_ON = path.join(__dirname, 'fixtures/gpu-cc-on');
const read = (dir: string, f: string): string => fs.readFileSync(path.join(dir, f), 'utf8');

describe('nvidia-smi parsers on the real H200 (CC off)', () => {
    test('conf-compute -f, -grs, -q', () => {
        expect(parseCcFeature(read(REAL_CC_OFF, 'cc-feature.txt'))).toBe('OFF');
        expect(parseCcReadyState(read(REAL_CC_OFF, 'cc-ready.txt'))).toBe('not-ready');
        expect(parseCcQuery(read(REAL_CC_OFF, 'cc-query.txt'))).toEqual({
            ccState: 'OFF',
            multiGpuMode: 'None',
            cpuCcCapabilities: 'None',
            gpuCcCapabilities: 'CC Capable',
            readyState: 'not ready',
            devToolsMode: undefined,
        });
    });

    test('-q -x', () => {
        expect(parseSmiXml(read(REAL_CC_OFF, 'smi-q.xml'))).toEqual({
            driverVersion: '580.159.04',
            gpus: [
                {
                    busId: '00000000:00:06.0',
                    name: 'NVIDIA H200',
                    vbios: '96.00.A5.00.1A',
                    uuid: 'GPU-00000000-0000-0000-0000-000000000000',
                    ccProtectedMemoryMiB: 0,
                },
            ],
        });
    });

    test('unrecognisable output is an error naming the command', () => {
        expect(() => parseCcFeature('No devices were found\n')).toThrow(new GpuOutputError('nvidia-smi conf-compute -f: no "CC status" line'));
        expect(() => parseCcReadyState('')).toThrow(new GpuOutputError('nvidia-smi conf-compute -grs: no "Ready state" line'));
        expect(() => parseCcQuery('garbage')).toThrow(new GpuOutputError('nvidia-smi conf-compute -q: no "CC State" field'));
        expect(() => parseSmiXml('<other/>')).toThrow(new GpuOutputError('nvidia-smi -q -x: no <nvidia_smi_log> element'));
        expect(() => parseXml('<a><b></a>')).toThrow(new GpuOutputError('XML: </a> at character 6 closes <b>'));
        expect(() => parseXml('<a>')).toThrow(new GpuOutputError('XML: <a> is never closed'));
        expect(() => parseXml('<a>< b</a>')).toThrow(new GpuOutputError('XML: malformed markup at character 3'));
        expect(parseXml('<a x="1 &amp; 2">&lt;t&gt;<b/></a>').children[0]).toEqual({
            name: 'a',
            attrs: { x: '1 & 2' },
            children: [{ name: 'b', attrs: {}, children: [], text: '' }],
            text: '<t>',
        });
    });
});

describe('GPU confidential-computing check', () => {
    test('the real H200 with CC off is refused: confidential computing is off', () => {
        const result = checkGpuConfidentialComputing(evidenceFromDir(REAL_CC_OFF));
        expect(result.ok).toBe(false);
        expect(result.reasons).toEqual(['confidential computing is off on the GPU (CC mode OFF)']);
        expect(result.summary).toBe('GPU check failed: confidential computing is off on the GPU (CC mode OFF)');
    });

    test('each CC-off source alone is enough to refuse', () => {
        for (const file of ['cc-feature.txt', 'cc-query.txt', 'smi-q.xml']) {
            const dir = tempDir('gpu');
            fs.copyFileSync(path.join(REAL_CC_OFF, file), path.join(dir, file));
            expect(checkGpuConfidentialComputing(evidenceFromDir(dir)).reasons).toEqual([
                'confidential computing is off on the GPU (CC mode OFF)',
            ]);
            fs.rmSync(dir, { recursive: true });
        }
    });

    test('synthesized CC-on output is accepted', () => {
        const result = checkGpuConfidentialComputing(evidenceFromDir(SYNTH_CC_ON));
        expect(result).toEqual({
            ok: true,
            reasons: [],
            ccMode: 'ON',
            readyState: 'ready',
            summary: 'GPU check passed: CC mode ON, ready state ready, driver 580.159.04, NVIDIA H200 00000000:00:06.0 (VBIOS 96.00.A5.00.1A)',
        });
    });

    test('sources that disagree are refused', () => {
        const ev = { ...evidenceFromDir(SYNTH_CC_ON), smi: evidenceFromDir(REAL_CC_OFF).smi };
        expect(checkGpuConfidentialComputing(ev).reasons).toEqual([
            'nvidia-smi outputs disagree on the confidential-computing mode (conf-compute -f: ON, conf-compute -q: ON, nvidia-smi -q -x: OFF)',
        ]);
    });

    test('DEVTOOLS mode, a non-capable GPU, no GPU, and no evidence are refused', () => {
        expect(checkGpuConfidentialComputing({ ccFeature: parseCcFeature('CC status: DEVTOOLS\n') }).reasons).toEqual([
            'confidential computing mode is DEVTOOLS, not ON',
        ]);
        const devTools = parseCcQuery('CC State : ON\nDevTools Mode : ON\n');
        expect(checkGpuConfidentialComputing({ ccQuery: devTools }).reasons).toEqual([
            'the GPU is in DevTools (debug) mode, which lifts the CC protections',
        ]);
        const notCapable = parseCcQuery('CC State : OFF\nGPU CC Capabilities : None\n');
        expect(checkGpuConfidentialComputing({ ccQuery: notCapable }).reasons).toEqual([
            'confidential computing is off on the GPU (CC mode OFF)',
            'the GPU is not CC capable (None)',
        ]);
        expect(checkGpuConfidentialComputing({ ccFeature: 'ON', smi: { driverVersion: '1', gpus: [] } }).reasons).toEqual([
            'nvidia-smi lists no GPU',
        ]);
        expect(checkGpuConfidentialComputing({}).reasons).toEqual(['no nvidia-smi output tells the confidential-computing mode']);
    });

    test('unreadable saved outputs are a clear error', () => {
        const dir = tempDir('gpu-bad');
        fs.mkdirSync(path.join(dir, 'cc-feature.txt'));
        expect(() => evidenceFromDir(dir)).toThrow(new GpuOutputError(`cannot read ${dir}/cc-feature.txt (EISDIR)`));
        expect(() => evidenceFromDir(path.join(dir, 'none'))).toThrow(new GpuOutputError(`${dir}/none is not a directory`));
        fs.rmSync(dir, { recursive: true });
    });

    test('a missing nvidia-smi binary is a clear error', () => {
        expect(() => evidenceFromNvidiaSmi('/nonexistent/nvidia-smi')).toThrow(
            new GpuOutputError('/nonexistent/nvidia-smi not found: no NVIDIA driver in this image, or no GPU passed through'),
        );
    });

    test('nvidia-smi is run with the four subcommands', () => {
        const dir = tempDir('gpu-bin');
        const fake = path.join(dir, 'nvidia-smi');
        // A stand-in binary that prints the saved CC-on output for each subcommand, and fails on -grs.
        fs.writeFileSync(
            fake,
            `#!/bin/sh\ncase "$*" in\n` +
                `"conf-compute -f") cat '${SYNTH_CC_ON}/cc-feature.txt' ;;\n` +
                `"conf-compute -grs") exit 3 ;;\n` +
                `"conf-compute -q") cat '${SYNTH_CC_ON}/cc-query.txt' ;;\n` +
                `"-q -x") cat '${SYNTH_CC_ON}/smi-q.xml' ;;\nesac\n`,
            { mode: 0o755 },
        );
        const ev = evidenceFromNvidiaSmi(fake);
        expect(ev.ccFeature).toBe('ON');
        expect(ev.ccReadyState).toBeUndefined();
        expect(checkGpuConfidentialComputing(ev).readyState).toBe('ready');
        fs.rmSync(dir, { recursive: true });
    });
});
