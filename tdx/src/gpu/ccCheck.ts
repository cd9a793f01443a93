import { CcQuery, SmiReport } from './nvidiaSmi';

/**
 * The worker's boot check: a GPU whose confidential-computing mode is not ON would expose prompts and weights to
 * the host, so the worker must not start. Every source given must agree that the mode is ON.
 */

export interface GpuEvidence {
    readonly ccFeature?: string;
    readonly ccReadyState?: string;
    readonly ccQuery?: CcQuery;
    readonly smi?: SmiReport;
}

export interface GpuCheckResult {
    readonly ok: boolean;
    readonly reasons: readonly string[];
    /** The agreed CC mode, when the sources agree. */
    readonly ccMode?: string;
    readonly readyState?: string;
    readonly summary: string;
}

export function checkGpuConfidentialComputing(ev: GpuEvidence): GpuCheckResult {
    const modes: [string, string][] = [];
    if (ev.ccFeature !== undefined) modes.push(['conf-compute -f', ev.ccFeature]);
    if (ev.ccQuery !== undefined) modes.push(['conf-compute -q', ev.ccQuery.ccState]);
    if (ev.smi !== undefined && ev.smi.gpus.length > 0 && ev.smi.gpus.every((g) => g.ccProtectedMemoryMiB !== null)) {
        // With CC on, the driver carves the GPU memory into a protected region; with CC off that region is empty.
        modes.push(['nvidia-smi -q -x', ev.smi.gpus.every((g) => g.ccProtectedMemoryMiB! > 0) ? 'ON' : 'OFF']);
    }
    const reasons: string[] = [];
    let ccMode: string | undefined;
    if (ev.smi !== undefined && ev.smi.gpus.length === 0) reasons.push('nvidia-smi lists no GPU');
    if (modes.length === 0) {
        reasons.push('no nvidia-smi output tells the confidential-computing mode');
    } else if (new Set(modes.map(([, m]) => m)).size > 1) {
        reasons.push(`nvidia-smi outputs disagree on the confidential-computing mode (${modes.map(([s, m]) => `${s}: ${m}`).join(', ')})`);
    } else {
        ccMode = modes[0][1];
        if (ccMode === 'OFF') reasons.push('confidential computing is off on the GPU (CC mode OFF)');
        else if (ccMode !== 'ON') reasons.push(`confidential computing mode is ${ccMode}, not ON`);
    }
    if (ev.ccQuery?.devToolsMode === 'ON') reasons.push('the GPU is in DevTools (debug) mode, which lifts the CC protections');
    const capability = ev.ccQuery?.gpuCcCapabilities;
    if (capability !== undefined && capability !== 'CC Capable') reasons.push(`the GPU is not CC capable (${capability})`);
    const readyState = ev.ccReadyState ?? ev.ccQuery?.readyState;
    const ok = reasons.length === 0;
    return { ok, reasons, ccMode, readyState, summary: summarize(ok, reasons, ccMode, readyState, ev.smi) };
}

function summarize(ok: boolean, reasons: readonly string[], mode?: string, ready?: string, smi?: SmiReport): string {
    if (!ok) return `GPU check failed: ${reasons.join('; ')}`;
    const gpus = (smi?.gpus ?? []).map((g) => `${g.name} ${g.busId} (VBIOS ${g.vbios})`);
    const driver = smi ? `, driver ${smi.driverVersion}` : '';
    return `GPU check passed: CC mode ${mode}, ready state ${ready ?? 'unknown'}${driver}${gpus.length ? `, ${gpus.join(', ')}` : ''}`;
}
