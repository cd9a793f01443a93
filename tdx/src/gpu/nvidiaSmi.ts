import { GpuOutputError } from '../errors';
import { child, parseXml, textAt } from './xml';

/** Parsers of the `nvidia-smi` outputs the worker's boot check reads. Values are kept as printed (e.g. "ON"). */

/** `nvidia-smi conf-compute -f`: "CC status: ON|OFF|DEVTOOLS". */
export function parseCcFeature(text: string): string {
    const m = /^\s*CC status\s*:\s*(\S+)\s*$/im.exec(text);
    if (!m) throw new GpuOutputError('nvidia-smi conf-compute -f: no "CC status" line');
    return m[1].toUpperCase();
}

/** `nvidia-smi conf-compute -grs`: "Confidential Compute GPUs Ready state: ready|not-ready". */
export function parseCcReadyState(text: string): string {
    const m = /^\s*Confidential Compute GPUs Ready state\s*:\s*(\S+)\s*$/im.exec(text);
    if (!m) throw new GpuOutputError('nvidia-smi conf-compute -grs: no "Ready state" line');
    return m[1].toLowerCase();
}

export interface CcQuery {
    readonly ccState: string;
    readonly multiGpuMode?: string;
    readonly cpuCcCapabilities?: string;
    readonly gpuCcCapabilities?: string;
    readonly readyState?: string;
    /** Present on drivers that report it; "ON" means CC with debugging enabled (no protection). */
    readonly devToolsMode?: string;
}

/** `nvidia-smi conf-compute -q`: the "NVSMI CONF-COMPUTE LOG" block of "Key : Value" lines. */
export function parseCcQuery(text: string): CcQuery {
    const fields = new Map<string, string>();
    for (const line of text.split('\n')) {
        const m = /^\s*([^:=]+?)\s*:\s*(.*?)\s*$/.exec(line);
        if (m) fields.set(m[1], m[2]);
    }
    const ccState = fields.get('CC State');
    if (ccState === undefined) throw new GpuOutputError('nvidia-smi conf-compute -q: no "CC State" field');
    return {
        ccState: ccState.toUpperCase(),
        multiGpuMode: fields.get('Multi-GPU Mode'),
        cpuCcCapabilities: fields.get('CPU CC Capabilities'),
        gpuCcCapabilities: fields.get('GPU CC Capabilities'),
        readyState: fields.get('CC GPUs Ready State')?.toLowerCase(),
        devToolsMode: fields.get('DevTools Mode')?.toUpperCase(),
    };
}

export interface GpuInfo {
    readonly busId: string;
    readonly name: string;
    readonly vbios: string;
    readonly uuid: string;
    /** Total CC-protected memory in MiB: 0 when confidential computing is off. */
    readonly ccProtectedMemoryMiB: number | null;
}

export interface SmiReport {
    readonly driverVersion: string;
    readonly gpus: readonly GpuInfo[];
}

function mib(value: string | undefined): number | null {
    const m = value === undefined ? null : /^(\d+)\s*MiB$/.exec(value);
    return m ? Number(m[1]) : null;
}

/** `nvidia-smi -q -x`. */
export function parseSmiXml(text: string): SmiReport {
    const log = child(parseXml(text), 'nvidia_smi_log');
    if (!log) throw new GpuOutputError('nvidia-smi -q -x: no <nvidia_smi_log> element');
    const gpus = log.children
        .filter((c) => c.name === 'gpu')
        .map((g) => ({
            busId: g.attrs.id ?? textAt(g, 'pci', 'pci_bus_id') ?? '?',
            name: textAt(g, 'product_name') ?? '?',
            vbios: textAt(g, 'vbios_version') ?? '?',
            uuid: textAt(g, 'uuid') ?? '?',
            ccProtectedMemoryMiB: mib(textAt(g, 'cc_protected_memory_usage', 'total')),
        }));
    return { driverVersion: textAt(log, 'driver_version') ?? '?', gpus };
}
