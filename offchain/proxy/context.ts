import { Address } from '@ton/core';
import type { KeyPair } from '@ton/crypto';
import type { ChainClient, RegistryReader, WalletAdapter } from '../chain';
import type { Outbox } from '../chain/outbox';
import type { ErrorCode, Prices, ProxyInfo } from '../protocol';
import type { Logger } from '../runtime';
import type { CocoonParams } from '../../wrappers/params';
import type { ResolvedProxyConfig } from './config';
import type { Ledger } from './ledger';
import type { ProxyMetrics } from './metrics';

/** An open connection, as stop() closes it. */
export interface OpenConnection {
    fail(code: ErrorCode, message: string, wsCode?: number): void;
}

/** Why the proxy refuses new work (COCOON aborts instead; we stay up and say why). */
export interface Refusal {
    code: ErrorCode;
    reason: string;
    since: number;
}

/** What the parts of a running proxy share: its identity on-chain, its ledger and outbox, and its refusal state. */
export interface ProxyContext {
    config: ResolvedProxyConfig;
    log: Logger;
    chain: ChainClient;
    registry: RegistryReader;
    ledger: Ledger;
    outbox: Outbox;
    /** The payment key: the wallet's key and the key in the proxy contract. */
    key: KeyPair;
    wallet: WalletAdapter;
    /** Owner of the proxy contract. */
    owner: Address;
    contract: Address;
    /** The params generation of the contract (root params when it was derived). */
    params: CocoonParams;
    prices: Prices;
    info: ProxyInfo;
    metrics: ProxyMetrics;
    refusal: Refusal | null;
    /** Records the first reason to refuse (later ones are logged only). */
    refuse(code: ErrorCode, reason: string): void;
}
