import { Address, toNano } from '@ton/core';
import { scriptWorld, ScriptWorld } from './payments.scripts';
import { proxyKeys, TON, wrongKeys } from './payments.fixtures';
import { run as deployProxy } from '../../scripts/proxyDeploy';
import { run as deployClient } from '../../scripts/clientDeploy';
import { run as topUp } from '../../scripts/clientTopUp';
import { run as deploy } from '../../scripts/workerDeploy';
import { run as payout } from '../../scripts/workerPayout';
import { CocoonWorker, readWorkerState, WorkerState } from '../../wrappers/worker';
import { signEnvelope } from '../../wrappers/signing';

describe('worker scripts', () => {
    let w: ScriptWorld;
    let proxy: Address;
    beforeEach(async () => {
        w = await scriptWorld();
        proxy = await deployProxy(w.as(w.owner).provider, [w.root.address.toString(), w.owner.address.toString(), proxyKeys.publicKey.toString('hex')]);
        const client = await deployClient(w.as(w.owner).provider, [proxy.toString(), '1']);
        await topUp(w.as(w.owner).provider, [client.toString(), '3']);
    });

    it('deploys the worker and submits signed payouts, the last one closing it', async () => {
        const { provider, ui } = w.as(w.stranger);
        const worker = await deploy(provider, [proxy.toString()]);
        const opened = w.blockchain.openContract(CocoonWorker.fromAddress(worker));
        expect((await readWorkerState(opened)).owner.equals(w.stranger.address)).toBe(true);
        const before = (await w.blockchain.getContract(w.stranger.address)).balance;
        const env = signEnvelope({ kind: 'payout', queryId: 3n, newTokens: 10_000n, expectedMyAddress: worker }, proxyKeys.secretKey, w.owner.address);
        await payout(provider, [worker.toString(), env.toBoc().toString('base64')]);
        expect((await readWorkerState(opened)).tokens).toBe(10_000n);
        expect(ui.output()).toContain('tokens paid 10000');
        // 1 TON of fees paid, less the 0.5 TON attached and its gas, came back to the worker's wallet.
        const gained = (await w.blockchain.getContract(w.stranger.address)).balance - before;
        expect(gained > toNano('0.95') && gained < TON).toBe(true);
        const last = signEnvelope({ kind: 'lastPayout', queryId: 4n, newTokens: 10_000n, expectedMyAddress: worker }, proxyKeys.secretKey, w.owner.address);
        await payout(provider, [worker.toString(), last.toBoc().toString('hex')]);
        expect((await readWorkerState(opened)).state).toBe(WorkerState.closed);
    });

    it('refuses envelopes the worker would reject', async () => {
        const { provider } = w.as(w.stranger);
        const worker = await deploy(provider, [proxy.toString()]);
        const bad = signEnvelope({ kind: 'payout', queryId: 3n, newTokens: 1n, expectedMyAddress: worker }, wrongKeys.secretKey, w.owner.address);
        await expect(payout(provider, [worker.toString(), bad.toBoc().toString('base64')])).rejects.toThrow('signature does not verify with the proxy key');
        const other = signEnvelope({ kind: 'payout', queryId: 3n, newTokens: 1n, expectedMyAddress: proxy }, proxyKeys.secretKey, w.owner.address);
        await expect(payout(provider, [worker.toString(), other.toBoc().toString('base64')])).rejects.toThrow(`payload is for ${proxy.toRawString()}`);
        const zero = signEnvelope({ kind: 'payout', queryId: 3n, newTokens: 0n, expectedMyAddress: worker }, proxyKeys.secretKey, w.owner.address);
        await expect(payout(provider, [worker.toString(), zero.toBoc().toString('base64')])).rejects.toThrow('signed payout: 0 tokens are already paid (the worker is at 0)');
        await expect(payout(provider, [worker.toString(), 'zz'])).rejects.toThrow('signed payout: "zz" is not a BOC (base64 or hex)');
    });
});
