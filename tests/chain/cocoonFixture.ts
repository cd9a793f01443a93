import { Address, Cell, toNano } from '@ton/core';
import { KeyPair } from '@ton/crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { ChainClient } from '../../offchain/chain/client';
import { requestFaucet } from '../../offchain/chain/faucet';
import { walletV4Adapter } from '../../offchain/chain/walletAdapter';
import { MessageOutcome, WalletSender } from '../../offchain/chain/walletSender';
import { CocoonParams } from '../../wrappers/params';
import { testKey } from '../devnet/wallets';

/** Contract code as `blueprint build` leaves it in build/. */
export function builtCode(name: 'CocoonProxy' | 'CocoonClient' | 'CocoonWorker' | 'CocoonRoot'): Cell {
    return Cell.fromHex(JSON.parse(readFileSync(join(__dirname, '../../build', `${name}.compiled.json`), 'utf8')).hex);
}

/** Devnet params: price 0.001 TON/token, worker fee 0.0001 TON, delays 60 s, stakes 1 TON. */
export function devnetParams(): CocoonParams {
    return {
        structVersion: 3,
        paramsVersion: 1,
        uniqueId: 42,
        isTest: true,
        pricePerToken: toNano('0.001'),
        workerFeePerToken: toNano('0.0001'),
        promptTokensPriceMultiplier: 10000,
        cachedTokensPriceMultiplier: 10000,
        completionTokensPriceMultiplier: 10000,
        reasoningTokensPriceMultiplier: 10000,
        proxyDelayBeforeClose: 60,
        clientDelayBeforeClose: 30,
        minProxyStake: toNano('1'),
        minClientStake: toNano('1'),
        proxyScCode: builtCode('CocoonProxy'),
        workerScCode: builtCode('CocoonWorker'),
        clientScCode: builtCode('CocoonClient'),
    };
}

/** A funded V4 wallet and a sender over it. */
export async function fundedSender(chain: ChainClient, endpoint: string, name: string, amount = toNano('100')) {
    const key: KeyPair = testKey(name);
    const wallet = walletV4Adapter(key);
    await requestFaucet(endpoint, wallet.address, amount);
    return { key, address: wallet.address, sender: new WalletSender(chain, wallet, { pollMs: 5 }) };
}

export function expectDelivered(o: MessageOutcome): void {
    if (o.status !== 'delivered') {
        throw new Error(`message to ${o.message.to.toString()} ${o.status}: ${JSON.stringify(o.destination?.outcome)}`);
    }
}

