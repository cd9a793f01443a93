import { fromNano } from '@ton/core';
import { readClientContract, readProxyContract, readWorkerContract } from '../../chain/cocoon/contracts';
import type { Receipt } from '../../protocol';
type SettleReport = import('../../proxy').SettleReport;
import { LOCAL_PRICES, type LocalNetwork } from './network';

export class DemoError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'DemoError';
    }
}

const ton = (nano: bigint) => `${fromNano(nano)} TON`;

/**
 * One streaming chat request through the client library, then settlement on-chain: prints the answer as it streams,
 * the receipt, the tokens and the cost, then the client contract, worker contract and proxy earnings after the proxy
 * settled, and checks they equal what the receipt says, to the nanoTON.
 */
export async function runDemo(net: LocalNetwork, out: (line: string) => void): Promise<void> {
    const price = LOCAL_PRICES.pricePerToken;
    const fee = LOCAL_PRICES.workerFeePerToken;
    const client = net.client.client;
    const model = net.model.slice(0, net.model.indexOf('@'));
    const before = {
        client: await readClientContract(net.chain, net.clientContract),
        worker: await readWorkerContract(net.chain, net.workerContract),
        proxy: await readProxyContract(net.chain, net.proxyContract),
    };

    out('');
    out(`Demo: one streaming chat request to ${model} through the client library`);
    const stream = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Tell me about confidential inference on TON' }],
        stream: true,
        max_tokens: 64,
    });
    let answer = '';
    for await (const chunk of stream) answer += chunk.choices[0]?.delta?.content ?? '';
    const receipt: Receipt = await stream.receipt;
    out(`Answer: ${answer.trim()}`);
    out('');
    out('Receipt (signed by the proxy payment key, verified by the client):');
    out(`  request ${receipt.requestId}, worker contract ${receipt.workerContract}`);
    out(`  request SHA-256 ${receipt.requestHash}`);
    out(`  response SHA-256 ${receipt.responseHash}`);
    out(`  tokens: prompt ${receipt.tokens.prompt}, cached ${receipt.tokens.cached}, completion ${receipt.tokens.completion}, reasoning ${receipt.tokens.reasoning}, total ${receipt.tokens.total}`);
    out(`  cost ${receipt.tokens.total} × ${receipt.pricePerToken} nanoTON = ${ton(BigInt(receipt.cost))}; client total ${receipt.clientTotal} tokens`);
    out(`  signature ${receipt.signature.slice(0, 32)}…`);

    out('');
    out('Settling on-chain (proxy: save-state, signed charge to the client contract, signed payout to the worker contract)…');
    const report = await net.proxy.settle();
    for (const line of settleLines(report)) out(`  ${line}`);

    const after = {
        client: await readClientContract(net.chain, net.clientContract),
        worker: await readWorkerContract(net.chain, net.workerContract),
        proxy: await readProxyContract(net.chain, net.proxyContract),
    };
    // With a kept state, earlier requests may still be unsettled: everything up to the receipt's running total is.
    const total = BigInt(receipt.clientTotal);
    const tokens = total - before.client.tokensUsed;
    const workerTokens = total - before.worker.tokens;
    const charged = after.client.tokensUsed - before.client.tokensUsed;
    const paidTokens = after.worker.tokens - before.worker.tokens;
    const clientPaid = before.client.balance - after.client.balance;
    const earnings = after.proxy.balance - before.proxy.balance;
    out('');
    out('On-chain settlement:');
    out(`  client contract: balance ${ton(after.client.balance)} (−${ton(clientPaid)}), tokens charged ${after.client.tokensUsed}`);
    out(`  worker contract: tokens paid ${after.worker.tokens}, payout ${paidTokens} × ${fee} = ${ton(paidTokens * fee)} to the worker's wallet`);
    out(`  proxy earnings: ${ton(after.proxy.balance)} (+${ton(earnings)} = ${paidTokens} × ${price - fee})`);

    const problems: string[] = [];
    if (charged !== tokens) problems.push(`client contract charged ${charged} tokens, the receipts say ${tokens}`);
    if (clientPaid !== tokens * price) problems.push(`client contract paid ${clientPaid} nanoTON, the receipts say ${tokens * price}`);
    if (paidTokens !== workerTokens) problems.push(`worker contract paid ${paidTokens} tokens, the receipts say ${workerTokens}`);
    if (earnings !== workerTokens * (price - fee)) problems.push(`proxy earned ${earnings} nanoTON, expected ${workerTokens * (price - fee)}`);
    if (problems.length > 0) throw new DemoError(`settlement does not match the receipt: ${problems.join('; ')}`);
    out('');
    out(`Settled to the nanoTON: the client paid ${ton(tokens * price)}, the worker earned ${ton(workerTokens * fee)}, the proxy ${ton(workerTokens * (price - fee))}.`);
}

/** The proxy's settlement, one line per on-chain message with its transaction. */
function settleLines(report: SettleReport): string[] {
    const tx = (h: string | null) => (h ? `tx ${h.slice(0, 16)}…` : 'no transaction');
    return [
        `save-state #${report.saveState.seqno} confirmed on the proxy contract (${tx(report.saveState.tx)})`,
        ...[...report.charges, ...report.payouts].map(
            (m) =>
                `${m.kind === 'charge' ? 'signed charge to client' : 'signed payout to worker'} contract for ${m.tokens} tokens: ${m.outcome ?? m.state}` +
                `${m.exitCode ? ` (exit code ${m.exitCode})` : ''} (${tx(m.tx)})`,
        ),
    ];
}
