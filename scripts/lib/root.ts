import { Address, Cell, fromNano, toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { readRootState, RootState } from '../../wrappers/root';
import { ArgumentError } from './args';
import { ScriptError } from './codes';
import { sendAndWait } from './send';

/** Value attached to a root op; the root returns what its gas does not use. */
export const ROOT_OP_VALUE = toNano('0.05');

export function queryId(): bigint {
    return BigInt(Date.now());
}

export async function loadRoot(provider: NetworkProvider, root: Address): Promise<RootState> {
    if (!(await provider.isContractDeployed(root))) {
        throw new ArgumentError(`no contract is deployed at ${root.toString()}`);
    }
    return readRootState(provider.provider(root));
}

const hex = (h: bigint) => h.toString(16).padStart(64, '0');

/** A readable summary of everything the root stores. */
export function formatRootState(root: Address, s: RootState): string {
    const p = s.params;
    const lines = [
        `root ${root.toString()}`,
        `  owner ${s.owner.toString()}, version ${s.version}`,
        `  params v${p.paramsVersion} (unique_id ${p.uniqueId}, ${p.isTest ? 'test' : 'production'}): price ${p.pricePerToken} nanoTON/token, worker fee ${p.workerFeePerToken}`,
        `  multipliers prompt ${p.promptTokensPriceMultiplier} cached ${p.cachedTokensPriceMultiplier} completion ${p.completionTokensPriceMultiplier} reasoning ${p.reasoningTokensPriceMultiplier} (10000 = x1)`,
        `  delays proxy ${p.proxyDelayBeforeClose} s, client ${p.clientDelayBeforeClose} s; min stakes proxy ${fromNano(p.minProxyStake)} TON, client ${fromNano(p.minClientStake)} TON`,
        `  codes proxy ${p.proxyScCode?.hash().toString('hex') ?? '-'} worker ${p.workerScCode?.hash().toString('hex') ?? '-'} client ${p.clientScCode?.hash().toString('hex') ?? '-'}`,
        `  proxy hashes: ${s.registry.proxyHashes.map(hex).join(', ') || '-'}`,
        `  worker hashes: ${s.registry.workerHashes.map(hex).join(', ') || '-'}`,
        `  model hashes: ${s.registry.modelHashes.map(hex).join(', ') || '-'}`,
        `  proxies (last seqno ${s.registry.lastProxySeqno}): ${[...s.registry.registeredProxies].map(([k, v]) => `#${k} ${v.text}`).join(', ') || '-'}`,
    ];
    return lines.join('\n');
}

async function codeOf(provider: NetworkProvider, address: Address): Promise<string | null> {
    const s = (await provider.getContractState(address)).state;
    return s.type === 'active' ? (s.code?.toString('hex') ?? null) : null;
}

/**
 * Sends an owner op to the root from the provider's wallet (which must be the owner), waits for the root's
 * transaction, checks that its state changed (version grows, or the code changes for an own-code upgrade) and
 * prints the new state.
 */
export async function sendRootOp(provider: NetworkProvider, root: Address, body: Cell, done: string): Promise<RootState> {
    const ui = provider.ui();
    const before = await loadRoot(provider, root);
    const me = provider.sender().address;
    if (me && !me.equals(before.owner)) {
        throw new ScriptError(`the sender ${me.toString()} is not the root owner ${before.owner.toString()}`);
    }
    const codeBefore = await codeOf(provider, root);
    await sendAndWait(provider, { to: root, value: ROOT_OP_VALUE, body });
    const after = await loadRoot(provider, root);
    if (after.version === before.version && (await codeOf(provider, root)) === codeBefore) {
        throw new ScriptError(`the root rejected the operation (nothing changed): see its last transaction's exit code`);
    }
    ui.write(done);
    ui.write(formatRootState(root, after));
    return after;
}
