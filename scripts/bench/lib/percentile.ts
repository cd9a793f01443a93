/** The `p` quantile (0–1) of ascending `sorted` values, by rank (0 for none). */
export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
