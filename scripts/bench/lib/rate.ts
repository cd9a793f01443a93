// Operations per second, measured in rounds that alternate a subject with its baseline: on a machine shared with
// other work the load drifts within seconds, so each ratio compares two runs taken back to back.

export interface Rate {
    count: number;
    seconds: number;
    perSecond: number;
    /** Operations per second of this process's CPU time (user + system): what other load on the machine disturbs least. */
    perCpuSecond: number;
}

const since = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** Runs `once` back to back for `seconds` (at least once); it must return true, else the bench is wrong. */
export function rateSync(seconds: number, once: () => boolean): Rate {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    let count = 0;
    let elapsed = 0;
    do {
        if (!once()) throw new Error('bench: an operation failed');
        count++;
        elapsed = since(start);
    } while (elapsed < seconds);
    return rate(count, elapsed, cpu);
}

/** `parallel` loops each awaiting `once` back to back until `seconds` have passed. */
export async function rateAsync(seconds: number, parallel: number, once: () => Promise<void>): Promise<Rate> {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    let count = 0;
    const loop = async () => {
        while (since(start) < seconds) {
            await once();
            count++;
        }
    };
    await Promise.all(Array.from({ length: parallel }, loop));
    return rate(count, since(start), cpu);
}

function rate(count: number, seconds: number, cpuStart: NodeJS.CpuUsage): Rate {
    const used = process.cpuUsage(cpuStart);
    return { count, seconds, perSecond: count / seconds, perCpuSecond: count / ((used.user + used.system) / 1e6) };
}

/** The median of a non-empty list. */
export function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Medians over alternating rounds: of each side's rate, and of the per-round ratio subject ÷ baseline. */
export interface Paired {
    subject: number;
    baseline: number;
    ratio: number;
    /** The same by CPU time (operations per CPU-second). */
    cpuSubject: number;
    cpuBaseline: number;
    cpuRatio: number;
}

/** A subject and its baseline measured alternately `rounds` times, the baseline first in each round. */
export async function paired(rounds: number, subject: () => Promise<Rate> | Rate, baseline: () => Promise<Rate> | Rate): Promise<Paired> {
    const s: Rate[] = [];
    const b: Rate[] = [];
    for (let i = 0; i < rounds; i++) {
        b.push(await baseline());
        s.push(await subject());
    }
    const ratios = (key: 'perSecond' | 'perCpuSecond') => median(s.map((x, i) => x[key] / b[i][key]));
    return {
        subject: median(s.map((r) => r.perSecond)),
        baseline: median(b.map((r) => r.perSecond)),
        ratio: ratios('perSecond'),
        cpuSubject: median(s.map((r) => r.perCpuSecond)),
        cpuBaseline: median(b.map((r) => r.perCpuSecond)),
        cpuRatio: ratios('perCpuSecond'),
    };
}
