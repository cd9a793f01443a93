/**
 * `npm run bench:profile`: where each service spends its CPU on the request path. Runs the network of the
 * proxy-overhead bench (client, proxy and worker each in its own process, started with --cpu-prof), streams requests
 * at `--streams` (default 16) for `--seconds` (default 10), stops the services gracefully so each writes its profile,
 * and prints per service its CPU time per request (from /proc) and, over the load only, the functions and files
 * with the most self time.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import os from 'os';
import { join } from 'path';
import type { Service } from '../../tests/faults/harness';
import { load, startOverheadNet, WARM_UP_STREAMS } from './lib/proxyOverhead';

interface CpuProfile {
    startTime: number;
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
    samples: number[];
    timeDeltas: number[];
}

const arg = (name: string, fallback: number) => {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Self time (ms) by function and by file (node_modules packages as one file each) of the samples taken within
 * [fromUs, toUs] of the monotonic clock, which V8's profile timestamps and process.hrtime share.
 */
function summarize(p: CpuProfile, fromUs: number, toUs: number): { totalMs: number; idleMs: number; byFunction: [string, number][]; byFile: [string, number][] } {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const fn = new Map<string, number>();
    const file = new Map<string, number>();
    let totalMs = 0;
    let idleMs = 0;
    let at = p.startTime;
    p.samples.forEach((id, i) => {
        at += p.timeDeltas[i] ?? 0;
        if (at < fromUs || at > toUs) return;
        const ms = (p.timeDeltas[i] ?? 0) / 1000;
        const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
        totalMs += ms;
        if (functionName === '(idle)') idleMs += ms;
        const where = url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1').replace(/^file:\/\/.*?\/(offchain|wrappers|scripts|tests)\//, '$1/');
        const f = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
        fn.set(f, (fn.get(f) ?? 0) + ms);
        file.set(where || functionName, (file.get(where || functionName) ?? 0) + ms);
    });
    const top = (m: Map<string, number>) => [...m].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 15);
    return { totalMs, idleMs, byFunction: top(fn), byFile: top(file) };
}

async function main(): Promise<void> {
    const streams = arg('streams', 16);
    const seconds = arg('seconds', 10);
    const dir = mkdtempSync(join(os.tmpdir(), 'cocoon-profile-'));
    const net = await startOverheadNet('bench-profile', streams, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const services: Service[] = [net.client, net.proxy, ...net.workers];
    let requests = 0;
    const now = () => Number(process.hrtime.bigint() / 1000n);
    let window: [number, number] = [0, 0];
    const cpu = new Map<string, number>();
    try {
        await load(`${net.api}/v1`, WARM_UP_STREAMS, 1);
        const before = services.map((s) => cpuSeconds(s.child!.pid!));
        window = [now(), 0];
        const figures = await load(`${net.api}/v1`, streams, seconds);
        window[1] = now();
        services.forEach((s, i) => cpu.set(s.name, cpuSeconds(s.child!.pid!) - before[i]));
        requests = figures.requests;
        console.log(`${streams} streams for ${seconds} s: ${figures.requests} requests, TTFT p50 ${figures.ttftP50.toFixed(2)} ms, p99 ${figures.ttftP99.toFixed(2)} ms`);
        for (const s of services) await s.kill('SIGTERM');
    } finally {
        await net.stop();
    }
    const pids = new Map(services.map((s) => [s.child!.pid, s.name]));
    for (const name of readdirSync(dir)) {
        const role = pids.get(Number(name.split('.')[3]));
        if (!role) continue;
        const s = summarize(JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile, ...window);
        const busy = s.totalMs - s.idleMs;
        const used = cpu.get(role)!;
        console.log(`\n## ${role}: ${used.toFixed(2)} s of CPU during the load, ${((used * 1e6) / requests).toFixed(0)} µs per request; profiled ${(s.totalMs / 1000).toFixed(1)} s, ${(busy / 1000).toFixed(1)} s busy`);
        console.log('self time by file:');
        for (const [k, ms] of s.byFile) console.log(`  ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${k}`);
        console.log('self time by function:');
        for (const [k, ms] of s.byFunction) console.log(`  ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${k}`);
    }
    rmSync(dir, { recursive: true, force: true });
}

main().then(
    () => process.exit(0),
    (e) => {
        console.error(`bench: ${(e as Error).message}`);
        process.exit(1);
    },
);
