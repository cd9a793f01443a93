// The demo's closing checks: the money adds up.
import { DEMO, DemoResult, StepRecord } from './cycle';

export interface Check {
    label: string;
    ok: boolean;
    /** The figures compared, formatted. */
    detail: string;
}

export interface Summary {
    totalFees: bigint;
    charged: bigint;
    workerPaid: bigint;
    operatorPaid: bigint;
    checks: Check[];
}

export function formatTon(nano: bigint): string {
    const sign = nano < 0n ? '-' : '';
    const abs = nano < 0n ? -nano : nano;
    const frac = (abs % 1_000_000_000n).toString().padStart(9, '0');
    return `${sign}${abs / 1_000_000_000n}.${frac}`;
}

const sumValues = (m: Map<string, bigint>) => [...m.values()].reduce((a, b) => a + b, 0n);

function received(steps: StepRecord[], to: string, kind: string): bigint {
    return steps.flatMap((s) => s.transfers).filter((t) => t.to === to && t.kind === kind).reduce((a, t) => a + t.value, 0n);
}

export function summarize(r: DemoResult): Summary {
    const last = r.steps[r.steps.length - 1];
    const lastWith = <K extends 'proxy' | 'client' | 'worker'>(k: K) => [...r.steps].reverse().find((s) => s[k])![k]!;
    const proxy = lastWith('proxy');
    const client = lastWith('client');
    const totalFees = r.steps.reduce((a, s) => a + s.fees, 0n);
    const charged = DEMO.deposit - client.balance;
    const workerPaid = received(r.steps, 'worker owner', 'payout');
    const operatorPaid = received(r.steps, 'proxy operator', 'payout');
    const proxyTon = last.balances.get('proxy contract')!;
    const owed = proxy.stake + client.balance + proxy.balance;
    const before = sumValues(r.initial);
    const after = sumValues(last.balances);
    const checks: Check[] = [
        {
            label: 'TON is conserved: all balances fell by exactly the fees',
            ok: before - after === totalFees,
            detail: `${formatTon(before)} − ${formatTon(after)} = ${formatTon(before - after)}; fees ${formatTon(totalFees)}`,
        },
        {
            label: 'the client was charged tokens × price',
            ok: charged === DEMO.tokens * DEMO.pricePerToken && client.tokensUsed === DEMO.tokens,
            detail: `deposit ${formatTon(DEMO.deposit)} − balance ${formatTon(client.balance)} = ${formatTon(charged)} = ${DEMO.tokens} × ${DEMO.pricePerToken} nanoTON`,
        },
        {
            label: 'the charge was split between worker and proxy',
            ok: workerPaid + operatorPaid === charged && workerPaid === DEMO.tokens * DEMO.workerFeePerToken,
            detail: `worker owner ${formatTon(workerPaid)} + proxy operator ${formatTon(operatorPaid)} = ${formatTon(workerPaid + operatorPaid)}`,
        },
        {
            label: 'the proxy contract still holds everything it owes',
            ok: proxyTon >= owed && proxy.balance === 0n,
            detail:
                `holds ${formatTon(proxyTon)} ≥ stake ${formatTon(proxy.stake)} + client balance ${formatTon(client.balance)} + earnings ` +
                `${formatTon(proxy.balance)} = ${formatTon(owed)} (it keeps ${formatTon(proxyTon - owed)}: its 0.01 TON floor and the 1-nanoTON notifications)`,
        },
    ];
    return { totalFees, charged, workerPaid, operatorPaid, checks };
}
