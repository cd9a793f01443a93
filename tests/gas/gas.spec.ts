import { GAS_LIMIT_RATIO, GasOp, REFERENCE_GAS } from './reference';
import { loadScenarios, measure } from './scenarios';

const scenarios = loadScenarios();

describe('gas against the reference FunC contracts', () => {
    it('measures every op of the reference table', () => {
        const measured = new Set(scenarios.map((s) => s.op));
        const missing = (Object.keys(REFERENCE_GAS) as GasOp[]).filter((op) => !measured.has(op));
        expect(missing).toEqual([]);
    });

    for (const scenario of scenarios) {
        const label = scenario.note ? `${scenario.op} (${scenario.note})` : scenario.op;
        it(`${label} uses at most ${GAS_LIMIT_RATIO}× the reference ${REFERENCE_GAS[scenario.op]} gas`, async () => {
            const result = await measure(scenario);
            expect(Number(result.gas)).toBeLessThanOrEqual(Math.floor(result.reference * GAS_LIMIT_RATIO));
        });
    }
});
