import { Address, Cell } from '@ton/core';
import { CocoonParams } from '../../../wrappers/params';
import { parseRootState } from '../../../wrappers/root';
import type { ChainClient } from '../client';
import { ChainError } from '../errors';

export interface RegisteredProxy {
    seqno: number;
    /** Descriptor type bit (COCOON: 0). */
    type: number;
    /** "ip:port[ ip:port]" as registered. */
    descriptor: string;
}

/** The root contract as off-chain code uses it: a typed, immutable snapshot of the registry and params. */
export interface RootConfig {
    address: Address;
    owner: Address;
    version: number;
    paramsVersion: number;
    params: CocoonParams;
    proxyHashes: ReadonlySet<bigint>;
    workerHashes: ReadonlySet<bigint>;
    modelHashes: ReadonlySet<bigint>;
    proxies: readonly RegisteredProxy[];
    lastProxySeqno: number;
    codes: { proxy: Cell | null; worker: Cell | null; client: Cell | null };
    /** The root's last transaction when this snapshot was read. */
    lastTx: { lt: bigint; hash: Buffer } | null;
    /** Chain time of the read. */
    readAt: number;
}

export interface RootChange {
    previous: RootConfig;
    current: RootConfig;
    versionChanged: boolean;
    paramsVersionChanged: boolean;
}

export class RegistryError extends ChainError {}

export interface RegistryReaderOptions {
    /** `get()` re-reads the chain when the cached snapshot is older than this (COCOON refreshes every 30–60 s). */
    maxAgeMs?: number;
    /** Interval of `start()`. */
    pollMs?: number;
    now?: () => number;
}

/**
 * Reads the root from its raw account data (one API call, no TVM), caches it, and tells listeners when its
 * `version` (registry) or `params_version` (prices, delays, codes) changed.
 */
export class RegistryReader {
    private cached: RootConfig | null = null;
    private cachedAt = 0;
    private readonly listeners = new Set<(c: RootChange) => void>();
    private timer?: NodeJS.Timeout;
    /** The read in progress: callers that come meanwhile share it (one getAccount, one notification). */
    private reading: Promise<RootConfig> | null = null;
    private readonly maxAgeMs: number;
    private readonly now: () => number;

    constructor(
        private readonly client: ChainClient,
        readonly rootAddress: Address,
        private readonly opts: RegistryReaderOptions = {},
    ) {
        this.maxAgeMs = opts.maxAgeMs ?? 30_000;
        this.now = opts.now ?? Date.now;
    }

    /** The cached configuration, re-read when older than `maxAgeMs`. */
    async get(): Promise<RootConfig> {
        if (this.cached && this.now() - this.cachedAt < this.maxAgeMs) return this.cached;
        return this.refresh();
    }

    /**
     * Reads the root now (or joins the read in progress); notifies listeners if `version` or `params_version` changed
     * since the last read.
     */
    refresh(): Promise<RootConfig> {
        this.reading ??= this.read().finally(() => (this.reading = null));
        return this.reading;
    }

    private async read(): Promise<RootConfig> {
        const account = await this.client.getAccount(this.rootAddress);
        const previous = this.cached;
        if (previous && account.last && previous.lastTx && account.last.lt === previous.lastTx.lt) {
            this.cachedAt = this.now(); // no transaction since: nothing changed
            return previous;
        }
        if (account.state !== 'active' || !account.data) {
            throw new RegistryError(`root ${this.rootAddress.toString()} is ${account.state}, not an active contract`);
        }
        let state;
        try {
            state = parseRootState(account.data);
        } catch (e) {
            throw new RegistryError(`root ${this.rootAddress.toString()} data does not parse: ${(e as Error).message}`);
        }
        const current: RootConfig = {
            address: this.rootAddress,
            owner: state.owner,
            version: state.version,
            paramsVersion: state.params.paramsVersion,
            params: state.params,
            proxyHashes: new Set(state.registry.proxyHashes),
            workerHashes: new Set(state.registry.workerHashes),
            modelHashes: new Set(state.registry.modelHashes),
            proxies: [...state.registry.registeredProxies].map(([seqno, v]) => ({ seqno, type: v.type, descriptor: v.text })),
            lastProxySeqno: state.registry.lastProxySeqno,
            codes: { proxy: state.params.proxyScCode, worker: state.params.workerScCode, client: state.params.clientScCode },
            lastTx: account.last,
            readAt: account.syncUtime,
        };
        this.cached = current;
        this.cachedAt = this.now();
        if (previous) {
            const versionChanged = previous.version !== current.version;
            const paramsVersionChanged = previous.paramsVersion !== current.paramsVersion;
            if (versionChanged || paramsVersionChanged) {
                for (const l of this.listeners) l({ previous, current, versionChanged, paramsVersionChanged });
            }
        }
        return current;
    }

    /** Registers a listener for version / params_version changes; returns its unsubscribe function. */
    onChange(listener: (c: RootChange) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    /** Refreshes every `pollMs` until `stop()`; read errors go to `onError` and the next tick tries again. */
    start(onError: (e: Error) => void = () => {}): void {
        if (this.timer) return;
        const tick = () => this.refresh().catch(onError);
        void tick();
        this.timer = setInterval(tick, this.opts.pollMs ?? 30_000);
        this.timer.unref();
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
    }
}
