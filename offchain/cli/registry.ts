import { fromNano } from '@ton/core';
import { Command } from 'commander';
import { ChainClient } from '../chain/client';
import type { RootConfig } from '../chain/cocoon/registry';
import { parseAddress, readServiceBasics, type Role } from './serviceBasics';

const hex = (h: bigint) => h.toString(16).padStart(64, '0');

/** The root as an operator reads it: version, params, the three hash lists and the registered proxies. */
export function formatRegistry(c: RootConfig): string {
    const p = c.params;
    const lines = [
        `root ${c.address.toString()}`,
        `  owner ${c.owner.toString()}`,
        `  version ${c.version}, params version ${c.paramsVersion}${p.isTest ? ' (test network)' : ''}`,
        `  price ${p.pricePerToken} nanoTON per token, worker fee ${p.workerFeePerToken} nanoTON per token`,
        `  multipliers (1/10000): prompt ${p.promptTokensPriceMultiplier}, cached ${p.cachedTokensPriceMultiplier}, completion ${p.completionTokensPriceMultiplier}, reasoning ${p.reasoningTokensPriceMultiplier}`,
        `  close delays: proxy ${p.proxyDelayBeforeClose} s, client ${p.clientDelayBeforeClose} s`,
        `  minimum stakes: proxy ${fromNano(p.minProxyStake)} TON, client ${fromNano(p.minClientStake)} TON`,
        `proxy image hashes (${c.proxyHashes.size})`,
        ...[...c.proxyHashes].map((h) => `  ${hex(h)}`),
        `worker image hashes (${c.workerHashes.size})`,
        ...[...c.workerHashes].map((h) => `  ${hex(h)}`),
        `model hashes (${c.modelHashes.size})`,
        ...[...c.modelHashes].map((h) => `  ${hex(h)}`),
        `registered proxies (${c.proxies.length})`,
        ...c.proxies.map((x) => `  #${x.seqno} ${x.descriptor}`),
    ];
    return lines.join('\n');
}

/** The same as JSON (hashes hex, amounts nanoTON strings). */
export function registryJson(c: RootConfig): unknown {
    const { proxyScCode, workerScCode, clientScCode, ...params } = c.params;
    return {
        address: c.address.toString(),
        owner: c.owner.toString(),
        version: c.version,
        params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v])),
        codeHashes: { proxy: proxyScCode?.hash().toString('hex'), worker: workerScCode?.hash().toString('hex'), client: clientScCode?.hash().toString('hex') },
        proxyHashes: [...c.proxyHashes].map(hex),
        workerHashes: [...c.workerHashes].map(hex),
        modelHashes: [...c.modelHashes].map(hex),
        proxies: c.proxies,
    };
}

/** `cocoon registry`: prints the root contract's registry and params. */
export function registerRegistry(program: Command): void {
    program
        .command('registry')
        .description("show the root contract: params, allowed image and model hashes, registered proxies")
        .option('--endpoint <url>', 'TON HTTP API v2 JSON-RPC endpoint (toncenter, or the devnet)')
        .option('--root <address>', 'root contract address')
        .option('--config <file>', 'take the endpoint and root from a proxy, worker or client config instead')
        .option('--role <role>', 'the role of --config, for its wallet seed variable', 'client')
        .option('--json', 'print JSON')
        .action(async (o: { endpoint?: string; root?: string; config?: string; role: Role; json?: boolean }) => {
            const { RegistryReader } = await import('../chain/cocoon/registry');
            let chain: ChainClient;
            let root;
            if (o.config) {
                ({ chain, root } = readServiceBasics(o.config, o.role));
            } else {
                if (!o.endpoint || !o.root) throw new Error('give --endpoint and --root, or --config');
                chain = new ChainClient(o.endpoint);
                root = parseAddress(o.root, '--root');
            }
            const config = await new RegistryReader(chain, root).get();
            console.log(o.json ? JSON.stringify(registryJson(config), null, 2) : formatRegistry(config));
        });
}
