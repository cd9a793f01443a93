import { Command } from 'commander';
import type { ReputationSnapshot } from '../../wrappers/reputation';
import { ChainClient } from '../chain/client';
import { CliInputError } from './errors';
import { parseAddress } from './serviceBasics';

const COLUMNS = ['worker contract', 'requests', 'failures', 'ttft p50 ms', 'tokens/s p50', 'score'];

/** A proxy's published snapshot as a table: one row per worker contract, best score first. */
export function formatReputation(proxy: string, s: ReputationSnapshot): string {
    const when = new Date(s.publishedAt * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
    const rows = [...s.workers.values()]
        .sort((a, b) => b.reputation.score - a.reputation.score || a.worker.toRawString().localeCompare(b.worker.toRawString()))
        .map(({ worker, reputation: r }) => [
            worker.toRawString(),
            String(r.requests),
            String(r.failures),
            String(r.ttftP50Ms),
            (r.tokensPerSecondP50x100 / 100).toFixed(2),
            String(r.score),
        ]);
    const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return [
        `reputation published by proxy ${proxy} at ${when}, over the last ${s.windowSeconds} s: ${s.workers.size} worker${s.workers.size === 1 ? '' : 's'}`,
        line(COLUMNS),
        ...rows.map(line),
    ].join('\n');
}

/** `cocoon reputation <proxy>`: the worker reputation a proxy published on its contract. */
export function registerReputation(program: Command): void {
    program
        .command('reputation')
        .description("show the worker reputation snapshot a proxy published on its proxy contract")
        .argument('<proxy>', 'proxy contract address')
        .requiredOption('--endpoint <url>', 'TON HTTP API v2 JSON-RPC endpoint (toncenter, or the devnet)')
        .option('--json', 'print JSON')
        .action(async (proxyText: string, o: { endpoint: string; json?: boolean }) => {
            const { readReputationSnapshot } = await import('../chain/cocoon/contracts');
            const proxy = parseAddress(proxyText, 'proxy');
            const chain = new ChainClient(o.endpoint);
            const account = await chain.getAccount(proxy);
            if (account.state !== 'active') throw new CliInputError(`no contract is deployed at ${proxy.toString()}`);
            const snapshot = await readReputationSnapshot(chain, proxy);
            if (o.json) {
                const workers = snapshot ? [...snapshot.workers.values()].map(({ worker, reputation }) => ({ worker: worker.toRawString(), ...reputation })) : [];
                return console.log(JSON.stringify(snapshot ? { proxy: proxy.toString(), publishedAt: snapshot.publishedAt, windowSeconds: snapshot.windowSeconds, workers } : null, null, 2));
            }
            console.log(snapshot ? formatReputation(proxy.toString(), snapshot) : `proxy ${proxy.toString()} has published no reputation snapshot yet`);
        });
}
