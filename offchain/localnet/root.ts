import { Address, toNano } from '@ton/core';
import type { KeyPair } from '@ton/crypto';
import { devnetKey } from '../chain/cocoon/keys';
import type { ChainClient } from '../chain/client';
import { requestFaucet } from '../chain/faucet';
import { walletV4Adapter } from '../chain/walletAdapter';
import { MessageOutcome, WalletSender } from '../chain/walletSender';
import { devnetParams } from '../devnet/cocoonDefaults';
import { CocoonParams } from '../../wrappers/params';
import { addHashBody, modelHash, parseRootState, registerProxyBody, rootFromInit } from '../../wrappers/root';

export class LocalnetError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'LocalnetError';
    }
}

export interface RootSetup {
    /** Overrides of the local network's params (offchain/devnet/cocoonDefaults.ts). */
    params?: Partial<CocoonParams>;
    proxyHashes?: bigint[];
    workerHashes?: bigint[];
    /** Full model names (`name@commit:hash`); the root stores their SHA-256. */
    models?: string[];
    /** Proxy descriptors: "HOST:PORT" or "HOST:WORKER_PORT HOST:CLIENT_PORT". */
    proxies?: string[];
    /** Names the deterministic owner key (default 'root-owner'). */
    ownerName?: string;
    /** The owner's key instead of a deterministic one (a root on a public network). */
    ownerKey?: KeyPair;
    log?: (line: string) => void;
}

/** Brings `address` to at least `amount` (a devnet faucet, or an operator asked to send it). */
export type Funder = (address: Address, amount: bigint, what: string) => Promise<void>;

export interface DeployedRoot {
    address: Address;
    owner: Address;
    params: CocoonParams;
    /** The owner's wallet, for later registry changes. */
    sender: WalletSender;
}

function delivered(o: MessageOutcome, what: string): void {
    if (o.status !== 'delivered') {
        const exit = o.destination?.outcome.exitCode;
        throw new LocalnetError(`${what} ${o.status}${exit !== undefined && exit !== null ? ` (exit code ${exit})` : ''}`);
    }
}

/**
 * Deploys a root and fills its registry: a funded owner wallet (the devnet faucet at `funding`, or a Funder), the root with
 * the given params, then every hash, model and proxy in batches of four. A root already there (a restarted network
 * with its saved chain) is kept, and only what its registry lacks is added.
 */
export async function deployLocalRoot(chain: ChainClient, funding: string | Funder, setup: RootSetup = {}): Promise<DeployedRoot> {
    const log = setup.log ?? (() => {});
    const key = setup.ownerKey ?? devnetKey(setup.ownerName ?? 'root-owner');
    const wallet = walletV4Adapter(key);
    const fund: Funder = typeof funding === 'string' ? async (a, amount) => void (await requestFaucet(funding, a, amount)) : funding;
    await fund(wallet.address, toNano(typeof funding === 'string' ? '100' : '5'), 'root owner wallet');
    const sender = new WalletSender(chain, wallet, { pollMs: 50 });
    const params = devnetParams(setup.params);
    const root = await rootFromInit(wallet.address, params);
    const account = await chain.getAccount(root.address);
    const existing = account.state === 'active' && account.data ? parseRootState(account.data).registry : null;
    if (existing) {
        log(`root already deployed at ${root.address.toString()}`);
    } else {
        delivered(await sender.send({ to: root.address, value: toNano('1'), init: root.init!, bounce: false }), 'root deployment');
        log(`root deployed at ${root.address.toString()}`);
    }
    const deployed = { address: root.address, owner: wallet.address, params, sender };
    await fillRegistry(chain, deployed, setup);
    return deployed;
}

/** Adds to a deployed root's registry whatever of `setup` it lacks (hashes, models, proxies), through its owner's wallet. */
export async function fillRegistry(chain: ChainClient, root: DeployedRoot, setup: RootSetup): Promise<void> {
    const log = setup.log ?? (() => {});
    const account = await chain.getAccount(root.address);
    const existing = account.data ? parseRootState(account.data).registry : null;
    const has = (list: Iterable<bigint> | undefined, h: bigint) => !!list && [...list].includes(h);
    const registered = new Set([...(existing?.registeredProxies.values() ?? [])].map((p) => p.text));
    const ops = [
        ...(setup.proxyHashes ?? []).filter((h) => !has(existing?.proxyHashes, h)).map((h) => ({ what: `proxy image hash ${h.toString(16)}`, body: addHashBody('proxy', h) })),
        ...(setup.workerHashes ?? []).filter((h) => !has(existing?.workerHashes, h)).map((h) => ({ what: `worker image hash ${h.toString(16)}`, body: addHashBody('worker', h) })),
        ...(setup.models ?? []).filter((m) => !has(existing?.modelHashes, modelHash(m))).map((m) => ({ what: `model ${m}`, body: addHashBody('model', modelHash(m)) })),
        ...(setup.proxies ?? []).filter((d) => !registered.has(d)).map((d) => ({ what: `proxy ${d}`, body: registerProxyBody(d) })),
    ];
    const outcomes = await root.sender.sendMany(ops.map((op) => ({ to: root.address, value: toNano('0.1'), body: op.body })));
    outcomes.forEach((o, i) => {
        delivered(o, `root: adding ${ops[i].what}`);
        log(`root: added ${ops[i].what}`);
    });
}
