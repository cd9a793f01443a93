import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { GpuOutputError } from '../errors';
import { GpuEvidence } from './ccCheck';
import { parseCcFeature, parseCcQuery, parseCcReadyState, parseSmiXml } from './nvidiaSmi';

/** Where the evidence comes from: `nvidia-smi` itself, or a folder of its saved outputs (same file names). */

const SOURCES = [
    { file: 'cc-feature.txt', args: ['conf-compute', '-f'] },
    { file: 'cc-ready.txt', args: ['conf-compute', '-grs'] },
    { file: 'cc-query.txt', args: ['conf-compute', '-q'] },
    { file: 'smi-q.xml', args: ['-q', '-x'] },
] as const;

type Outputs = Partial<Record<(typeof SOURCES)[number]['file'], string>>;

function toEvidence(out: Outputs): GpuEvidence {
    return {
        ccFeature: out['cc-feature.txt'] === undefined ? undefined : parseCcFeature(out['cc-feature.txt']),
        ccReadyState: out['cc-ready.txt'] === undefined ? undefined : parseCcReadyState(out['cc-ready.txt']),
        ccQuery: out['cc-query.txt'] === undefined ? undefined : parseCcQuery(out['cc-query.txt']),
        smi: out['smi-q.xml'] === undefined ? undefined : parseSmiXml(out['smi-q.xml']),
    };
}

/** Reads the saved outputs present in `dir`; absent files are absent sources. */
export function evidenceFromDir(dir: string): GpuEvidence {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new GpuOutputError(`${dir} is not a directory`);
    const out: Outputs = {};
    for (const { file } of SOURCES) {
        const p = path.join(dir, file);
        if (!fs.existsSync(p)) continue;
        try {
            out[file] = fs.readFileSync(p, 'utf8');
        } catch (e) {
            throw new GpuOutputError(`cannot read ${p} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        }
    }
    return toEvidence(out);
}

/** Runs `nvidia-smi`; a subcommand that fails is an absent source, a missing binary is an error. */
export function evidenceFromNvidiaSmi(binary = 'nvidia-smi'): GpuEvidence {
    const out: Outputs = {};
    for (const { file, args } of SOURCES) {
        try {
            out[file] = execFileSync(binary, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
                throw new GpuOutputError(`${binary} not found: no NVIDIA driver in this image, or no GPU passed through`);
            }
        }
    }
    return toEvidence(out);
}
