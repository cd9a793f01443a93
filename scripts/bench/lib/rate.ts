// Operations per second of a subject and its baseline, measured in short interleaved windows: on a machine shared
// with other work the load drifts within seconds, so both sides must be measured across the same stretch of time.

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

/** `parallel` loops each awaiting `once` (given its loop's index) back to back until `seconds` have passed. */
export async function rateAsync(seconds: number, parallel: number, once: (loop: number) => Promise<void>): Promise<Rate> {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    let count = 0;
    const loop = async (_: unknown, index: number) => {
        while (since(start) < seconds) {
            await once(index);
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

/** Totals over interleaved windows: each side's rate, and subject ÷ baseline. */
export interface Paired {
    subject: number;
    baseline: number;
    ratio: number;
    /** The same by CPU time (operations per CPU-second of this process). */
    cpuSubject: number;
    cpuBaseline: number;
    cpuRatio: number;
}

/**
 * A subject and its baseline measured in `rounds` short windows each, interleaved ABBA (baseline, subject, subject,
 * baseline, …) so that a change of load on the machine falls on both sides alike; rates are total operations over
 * total time, per side.
 */
export async function paired(rounds: number, subject: () => Promise<Rate> | Rate, baseline: () => Promise<Rate> | Rate): Promise<Paired> {
    const total = { s: { count: 0, seconds: 0, cpu: 0 }, b: { count: 0, seconds: 0, cpu: 0 } };
    const add = (side: 's' | 'b', r: Rate) => {
        total[side].count += r.count;
        total[side].seconds += r.seconds;
        total[side].cpu += r.count / r.perCpuSecond;
    };
    for (let i = 0; i < rounds; i++) {
        const order: ('s' | 'b')[] = i % 2 === 0 ? ['b', 's'] : ['s', 'b'];
        for (const side of order) add(side, await (side === 's' ? subject() : baseline()));
    }
    const { s, b } = total;
    return {
        subject: s.count / s.seconds,
        baseline: b.count / b.seconds,
        ratio: s.count / s.seconds / (b.count / b.seconds),
        cpuSubject: s.count / s.cpu,
        cpuBaseline: b.count / b.cpu,
        cpuRatio: s.count / s.cpu / (b.count / b.cpu),
    };
}
