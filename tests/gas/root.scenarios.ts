import { Cell, toNano } from '@ton/core';
import { SendMessageResult } from '@ton/sandbox';
import { computeGas } from './measure';
import { GasOp, GasScenario } from './reference';
import {
    addHashBody,
    changeAllParamsBody,
    changeOwnerBody,
    changeParamsBody,
    changePriceBody,
    delHashBody,
    registerProxyBody,
    unregisterProxyBody,
    updateProxyBody,
    upgradeContractsBody,
} from '../../wrappers/root';
import { deployRoot, FAKE_CODES, RootFixture } from '../helpers/rootFixture';

const HASH = 0x1234n;

/** Gas of the root's transaction for `body` sent by the owner after `setup`. */
async function measure(body: (f: RootFixture) => Cell, setup: Cell[] = []): Promise<bigint[]> {
    const f = await deployRoot();
    for (const b of setup) {
        await f.owner.send({ to: f.root.address, value: toNano('0.1'), body: b });
    }
    const r: SendMessageResult = await f.blockchain.sendMessage({
        info: {
            type: 'internal',
            ihrDisabled: true,
            bounce: true,
            bounced: false,
            src: f.owner.address,
            dest: f.root.address,
            value: { coins: toNano('0.1') },
            ihrFee: 0n,
            forwardFee: 0n,
            createdLt: 0n,
            createdAt: 0,
        },
        body: body(f),
    });
    const tx = r.transactions[0];
    if (tx.description.type !== 'generic' || tx.description.computePhase.type !== 'vm' || !tx.description.computePhase.success) {
        throw new Error(`root op failed in the gas scenario: ${JSON.stringify(tx.description, (_, v) => (typeof v === 'bigint' ? v.toString() : v)).slice(0, 600)}`);
    }
    return [computeGas(tx)];
}

function scenario(op: GasOp, body: (f: RootFixture) => Cell, setup: Cell[] = [], note?: string): GasScenario {
    return { op, note, run: () => measure(body, setup) };
}

const params = {
    pricePerToken: 3n,
    workerFeePerToken: 2n,
    proxyDelayBeforeClose: 7200,
    clientDelayBeforeClose: 3600,
    minProxyStake: toNano('2'),
    minClientStake: toNano('3'),
};

export const scenarios: GasScenario[] = [
    scenario('root_add_worker_type', () => addHashBody('worker', HASH)),
    scenario('root_del_worker_type', () => delHashBody('worker', HASH), [addHashBody('worker', HASH)]),
    scenario('root_add_model_type', () => addHashBody('model', HASH)),
    scenario('root_del_model_type', () => delHashBody('model', HASH), [addHashBody('model', HASH)]),
    scenario('root_add_proxy_type', () => addHashBody('proxy', HASH)),
    scenario('root_del_proxy_type', () => delHashBody('proxy', HASH), [addHashBody('proxy', HASH)]),
    scenario('root_register_proxy', () => registerProxyBody('10.0.0.1:8080 10.0.0.1:8081')),
    scenario('root_unregister_proxy', () => unregisterProxyBody(1), [registerProxyBody('10.0.0.1:8080')]),
    scenario('root_update_proxy', () => updateProxyBody(1, '10.0.0.2:9090'), [registerProxyBody('10.0.0.1:8080')]),
    scenario('root_change_price', () => changePriceBody(3n, 2n)),
    scenario('root_change_params', () => changeParamsBody(params)),
    scenario(
        'root_change_params',
        () =>
            changeAllParamsBody({
                ...params,
                promptTokensPriceMultiplier: 10000,
                cachedTokensPriceMultiplier: 5000,
                completionTokensPriceMultiplier: 20000,
                reasoningTokensPriceMultiplier: 20000,
            }),
        [],
        'change all params 0x9f1e69dc (fix 4; held to the change_params figure)',
    ),
    scenario('root_change_params', () => upgradeContractsBody(FAKE_CODES), [], 'upgrade contracts 0xa2370f61'),
    scenario('root_change_owner', (f) => changeOwnerBody(f.stranger.address)),
];
