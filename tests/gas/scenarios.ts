import { readdirSync } from 'fs';
import { join } from 'path';
import { GasOp, GasScenario, REFERENCE_GAS } from './reference';

/** Every `tests/gas/*.scenarios.ts`, in file-name order. */
export function loadScenarios(): GasScenario[] {
    return readdirSync(__dirname)
        .filter((f) => f.endsWith('.scenarios.ts'))
        .sort()
        .flatMap((f) => (require(join(__dirname, f)) as { scenarios: GasScenario[] }).scenarios);
}

export interface GasResult {
    op: GasOp;
    note?: string;
    gas: bigint;
    reference: number;
    ratio: number;
}

export function median(values: bigint[]): bigint {
    if (values.length === 0) throw new Error('a gas scenario measured no transaction');
    const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return sorted[Math.floor((sorted.length - 1) / 2)];
}

export async function measure(scenario: GasScenario): Promise<GasResult> {
    const gas = median(await scenario.run());
    const reference = REFERENCE_GAS[scenario.op];
    return { op: scenario.op, note: scenario.note, gas, reference, ratio: Number(gas) / reference };
}
