// Chain cost (issue "Performance at network scale"): on-chain transactions and fees per 1,000 requests on the real
// local network at the default thresholds, and each flow's fee in the sandbox beside COCOON's FunC figures.
import { BenchOptions, BenchSection, markdownTable, Target } from './section';
import { ChainRun, DEFAULTS, runChainCost } from './chainCostRun';
import { FlowTally } from './chainFlows';
import { measureWalletFlows, WalletFlowFee } from './walletFlowFees';
import { REFERENCE_GAS } from '../../../tests/gas/reference';
import { LOCAL_PRICES } from '../../../offchain/cli/up/network';

/**
 * COCOON's own figures: compute gas of the op in its FunC contracts (../shared/spec/onchain.md, "Gas budget") and
 * the fee of the whole flow its integration test prints (../shared/reference/cocoon-onchain.md §14.13, rounded
 * there). Its proxy does not run a save-state (neither does ours) and has no reputation snapshot.
 */
const COCOON: Record<string, { gas: number | null; feeTon: number | null }> = {
    charge: { gas: REFERENCE_GAS.ext_client_charge_signed, feeTon: 0.011 },
    'top-up': { gas: REFERENCE_GAS.ext_client_top_up, feeTon: 0.012 },
    payout: { gas: REFERENCE_GAS.ext_worker_payout_request_signed, feeTon: 0.014 },
    'save-state': { gas: null, feeTon: 0.0026 },
};

const NETWORK_FLOWS = ['save-state', 'charge', 'top-up', 'payout'];
const ton = (nano: bigint | number) => (Number(nano) / 1e9).toFixed(6);
const pct = (x: number) => `${(100 * x).toFixed(3)}%`;

interface PerThousand {
    flow: string;
    /** How the frequency was obtained. */
    source: 'run' | 'threshold';
    run?: FlowTally;
    transactions: number;
    fees: number;
}

/**
 * Per 1,000 requests, each flow as the run saw it; a value-triggered flow the run did not reach (a payout needs 10
 * TON to the worker) at the frequency its threshold gives, with the transactions and fee of one such flow from the
 * sandbox.
 */
function perThousand(run: ChainRun, sandbox: WalletFlowFee[]): PerThousand[] {
    const k = 1000 / run.requests;
    const tokensPerRequest = Number(run.tokens) / run.requests;
    const everyTon: Record<string, number> = {
        payout: (tokensPerRequest * Number(run.workerFeePerToken)) / (DEFAULTS.payoutTon * 1e9),
        'top-up': (tokensPerRequest * Number(run.pricePerToken)) / (DEFAULTS.topUpTon * 1e9),
    };
    const names = [...new Set([...NETWORK_FLOWS, ...run.flows.map((f) => f.flow)])];
    return names.flatMap((flow): PerThousand[] => {
        const seen = run.flows.find((f) => f.flow === flow);
        if (seen) return [{ flow, source: 'run', run: seen, transactions: seen.transactions * k, fees: Number(seen.fees) * k }];
        const one = sandbox.find((f) => f.flow === flow);
        const perRequest = everyTon[flow];
        if (!one || perRequest === undefined) return [];
        const messages = 1000 * perRequest;
        return [{ flow, source: 'threshold', transactions: messages * one.transactions, fees: messages * Number(one.fees) }];
    });
}

function networkTable(rows: PerThousand[], run: ChainRun): string {
    const paid = (Number(run.served) / run.requests) * 1000;
    const body = rows.map((r) => [
        r.source === 'run' ? r.flow : `${r.flow} (from its threshold)`,
        r.run ? `${r.run.messages} / ${r.run.transactions} / ${ton(r.run.fees)}` : '—',
        r.transactions.toFixed(2),
        ton(r.fees),
        pct(r.fees / paid),
    ]);
    const tx = rows.reduce((s, r) => s + r.transactions, 0);
    const fees = rows.reduce((s, r) => s + r.fees, 0);
    body.push(['**all**', `${run.requests} requests, ${ton(run.served)} TON paid`, tx.toFixed(2), ton(fees), pct(fees / paid)]);
    return markdownTable(['flow', 'in the run: messages / transactions / fees (TON)', 'transactions per 1,000 requests', 'fees per 1,000 requests (TON)', `fees ÷ paid (${ton(paid)} TON per 1,000 requests)`], body);
}

function flowTable(flows: WalletFlowFee[]): string {
    const body = flows.map((f) => {
        const ref = COCOON[f.flow];
        const feeRatio = ref?.feeTon ? `${(Number(f.fees) / 1e9 / ref.feeTon).toFixed(2)}×` : '—';
        const gasRatio = ref?.gas && f.gas !== null ? `${(Number(f.gas) / ref.gas).toFixed(2)}×` : '—';
        return [f.flow, f.transactions, ton(f.fees), ref?.feeTon?.toFixed(4) ?? '—', feeRatio, f.gas?.toString() ?? 'not run', ref?.gas ?? '—', gasRatio];
    });
    return markdownTable(['flow (through a CocoonWallet)', 'transactions', 'fee (TON)', 'COCOON fee (TON)', 'ratio', 'gas of the op', 'COCOON FunC gas', 'ratio'], body);
}

export async function benchChainCost(o: BenchOptions): Promise<BenchSection> {
    const run = await runChainCost(
        o.smoke
            ? // a few seconds: save-states every second and a price 20× the local one, so a charge comes at once
              { seconds: 2, untilFlows: ['save-state', 'charge'], maxSeconds: 30, concurrency: 4, promptTokens: 700, completionTokens: 300, saveStateSeconds: 1, params: { pricePerToken: 20_000n, workerFeePerToken: 16_000n }, log: o.log }
            : { seconds: 180, concurrency: 8, promptTokens: 700, completionTokens: 300, saveStateSeconds: DEFAULTS.saveStateSeconds, log: o.log },
    );
    if (run.requests === 0) throw new Error('chain cost: no request succeeded');
    o.log('chain cost: each flow through a CocoonWallet in the sandbox');
    const flows = await measureWalletFlows(o.smoke ? 10 : 100);
    const rows = perThousand(run, flows);
    const tx = rows.reduce((s, r) => s + r.transactions, 0);
    const paid = (Number(run.served) / run.requests) * 1000;
    const fees = rows.reduce((s, r) => s + r.fees, 0);
    const targets: Target[] = [
        { what: 'on-chain transactions per 1,000 requests', measured: tx.toFixed(2), target: '≤ 1', met: tx <= 1 },
        { what: 'fees ÷ what the client paid', measured: pct(fees / paid), target: '< 0.1%', met: fees / paid < 0.001 },
    ];
    const notes = chainCostNotes(run, rows, flows, { tx, fees, paid });
    return { title: 'Chain cost', table: `${networkTable(rows, run)}\n\n${flowTable(flows)}`, targets, notes };
}

function chainCostNotes(run: ChainRun, rows: PerThousand[], flows: WalletFlowFee[], all: { tx: number; fees: number; paid: number }): string[] {
    const tokensPerRequest = Number(run.tokens) / run.requests;
    const top = [...rows].sort((a, b) => b.fees - a.fees).map((r) => `${r.flow} ${((100 * r.fees) / all.fees).toFixed(0)}%`);
    const breakEven = flows
        .filter((f) => f.flow in COCOON && f.flow !== 'save-state')
        .map((f) => `${f.flow} ${(Number(f.fees) / 1e9 / 0.001).toFixed(1)} TON`);
    const saveState = flows.find((f) => f.flow === 'save-state')!;
    const chargeFlow = run.flows.find((f) => f.flow === 'charge');
    const charge = flows.find((f) => f.flow === 'charge')!;
    const CHARGE_STEPS = ['wallet external', 'client contract', 'notice on the proxy contract', 'excess back to the wallet'];
    const chargeParts =
        charge.parts.length === CHARGE_STEPS.length ? charge.parts.map((f, i) => `${CHARGE_STEPS[i]} ${ton(f)}`).join(', ') : charge.parts.map(ton).join(' + ');
    const accounts = [...run.accounts].map(([n, c]) => `${n} ${c}`).join(', ');
    return [
        `Network: the whole local network in one process (devnet, test engine, proxy, worker, client), the proxy's default thresholds (charge at ${DEFAULTS.chargeTon} TON, payout at ${DEFAULTS.payoutTon} TON), a save-state every ${run.saveStateSeconds} s (default ${DEFAULTS.saveStateSeconds} s), the client's defaults (charges itself past half its stake, tops up ${DEFAULTS.topUpTon} TON); ${run.requests} requests of ${tokensPerRequest.toFixed(0)} tokens in ${run.seconds.toFixed(0)} s from ${run.concurrency} concurrent callers (${run.refused} more were refused for credit and retried).`,
        `Request size and price: ${tokensPerRequest.toFixed(0)} tokens (700 prompt + 300 answer, a typical chat turn) at ${run.pricePerToken} nanoTON per token (${run.workerFeePerToken} to the worker; ${Number(run.pricePerToken) / 1000} TON per million tokens${run.pricePerToken === LOCAL_PRICES.pricePerToken ? ", a large model's price" : ''}), so a request costs ${ton(run.pricePerToken * BigInt(Math.round(tokensPerRequest)))} TON; transactions per 1,000 requests scale with that value (each threshold is a TON amount), fees ÷ paid do not, except the save-state, which is per ${run.saveStateSeconds} s and so per request rate.`,
        `Counted: every devnet transaction from the first request on, grouped by the service wallet message that started its chain (by opcode) — ${accounts}; fees = each transaction's total fees plus the forwarding fee of each internal message it sent (exactly what leaves the accounts' balances). A value-triggered flow the run did not reach is counted at the frequency its threshold gives, with one flow's transactions and fee from the sandbox table.`,
        `Where the fee goes: ${top.join(', ')}. Each flow costs about its fee whatever it moves, so fees ÷ paid is the fee over the amount a flow settles: to stay under 0.1 % each flow would have to settle at least ${breakEven.join(', ')}, and the save-state (${ton(saveState.fees)} TON every ${run.saveStateSeconds} s) needs ${(Number(saveState.fees) / 1e9 / 0.001).toFixed(1)} TON of requests per ${run.saveStateSeconds} s.`,
        `Why it is missed at the defaults: the client's credit is its stake (1 TON) beyond what is charged and, as in COCOON, it charges itself past half of it, before the proxy's 1 TON threshold: charges here came from ${[...(chargeFlow?.senders ?? [])].map(([w, n]) => `the ${w} (${n})`).join(' and ') || 'no wallet'}, settling ${ton(run.served / BigInt(Math.max(chargeFlow?.messages ?? 0, 1)))} TON each for about 0.0106 TON; a top-up settles ${DEFAULTS.topUpTon} TON. The stake also caps one client at about one stake per save-state period (a charge needs a confirmed save-state; 1 TON per ${DEFAULTS.saveStateSeconds} s by default): this run spent ${(Number(run.served) / 1e9 / run.seconds).toFixed(3)} TON/s and saw ${run.refused} refusals. Meeting 0.1 % needs flows of 10+ TON: a larger min client stake (a root param) with top-ups and payout thresholds to match — settings and a governance change, COCOON's messages and contracts unchanged; a smaller charge message cannot do it (its fee is the wallet's external, the client contract's charge — gas below COCOON's, see below —, a notice the proxy contract does not run and the excess back: no part is near 10× too big: ${chargeParts}).`,
        `Transactions: each flow is 2–5 transactions, so at 1 per 1,000 requests the value-triggered ones must settle at least about 4 × the value of 1,000 requests each (${ton(4n * 1000n * (run.served / BigInt(run.requests)))} TON here), and the save-state's 2 per ${run.saveStateSeconds} s need ${((2 * 1000) / run.saveStateSeconds).toFixed(0)} requests/s or more (this run: ${(run.requests / run.seconds).toFixed(1)}/s on a shared 2-core machine). An idle proxy records none: this bench found that it used to record one every ${run.saveStateSeconds} s anyway, ${ton(BigInt(Math.round((Number(saveState.fees) * 86_400) / run.saveStateSeconds)))} TON a day, and the proxy now skips a save-state while nothing counted awaits one.`,
        `Flows table: each flow alone in the payments sandbox, sent through the proxy's CocoonWallet by an external message as the services send it (the wallet's transaction, the message, every transaction it causes, the excess back). COCOON's fee is its integration test's whole-flow figure (reference notes §14.13, rounded to two digits); its gas is the FunC contract's compute gas for the op (onchain.md). The reputation snapshot has no COCOON counterpart; the proxy publishes one at most every 6 h when the figures changed.`,
    ];
}
