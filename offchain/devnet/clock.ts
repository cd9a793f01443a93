/**
 * The devnet's clock: unix seconds that follow wall time, optionally sped up, and never go backwards (a restored
 * state starts at the later of its saved time and the wall clock, so contracts never see time reversed).
 */
export class DevnetClock {
    private readonly baseSeconds: number;
    private readonly baseWallMs: number;
    private last = 0;

    constructor(
        readonly speed: number,
        notBefore = 0,
        private readonly wallMs: () => number = Date.now,
    ) {
        if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`clock speed must be a positive number, got ${speed}`);
        this.baseWallMs = wallMs();
        this.baseSeconds = Math.max(notBefore, Math.floor(this.baseWallMs / 1000));
    }

    /** Current devnet time in unix seconds. */
    now(): number {
        const t = this.baseSeconds + Math.floor(((this.wallMs() - this.baseWallMs) * this.speed) / 1000);
        this.last = Math.max(this.last, t);
        return this.last;
    }
}
