import { Address, toNano } from '@ton/core';
import { Blockchain } from '@ton/sandbox';
import { ArgumentError } from '../../scripts/lib/args';
import { ScriptError } from '../../scripts/lib/codes';
import { run as deployRoot } from '../../scripts/deployRoot';
import { run as addWorkerHash } from '../../scripts/addWorkerHash';
import { run as removeWorkerHash } from '../../scripts/removeWorkerHash';
import { run as addProxyHash } from '../../scripts/addProxyHash';
import { run as addModel } from '../../scripts/addModel';
import { run as removeModel } from '../../scripts/removeModel';
import { run as registerProxy } from '../../scripts/registerProxy';
import { run as updateProxy } from '../../scripts/updateProxy';
import { run as unregisterProxy } from '../../scripts/unregisterProxy';
import { run as changePrice } from '../../scripts/changePrice';
import { run as changeParams } from '../../scripts/changeParams';
import { run as changeAllParams } from '../../scripts/changeAllParams';
import { run as upgradeContracts } from '../../scripts/upgradeContracts';
import { run as changeRootOwner } from '../../scripts/changeRootOwner';
import { run as resetRoot } from '../../scripts/resetRoot';
import { run as showRoot } from '../../scripts/showRoot';
import { run as upgradeRoot } from '../../scripts/upgradeRoot';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { beginCell } from '@ton/core';
import { contractCodes } from '../../scripts/lib/codes';
import { modelHash, readRootState, updateProxyBody } from '../../wrappers/root';
import { sendRootOp } from '../../scripts/lib/root';
import { SandboxNetworkProvider } from '../helpers/sandboxProvider';
import { ScriptedUi } from '../helpers/ui';

const HASH = 'cd'.repeat(32);

describe('root scripts against a sandbox provider', () => {
    let blockchain: Blockchain;
    let provider: SandboxNetworkProvider;
    let ui: ScriptedUi;
    let root: Address;

    const as = async (answers: string[] = []) => {
        ui = new ScriptedUi(answers);
        provider = new SandboxNetworkProvider(blockchain, provider.wallet, ui);
        return provider;
    };
    const state = () => readRootState(blockchain.provider(root));

    beforeAll(async () => {
        blockchain = await Blockchain.create();
        const owner = await blockchain.treasury('owner');
        ui = new ScriptedUi([]);
        provider = new SandboxNetworkProvider(blockchain, owner, ui);
        root = await deployRoot(provider, [owner.address.toString(), '17', 'yes', '20', '10', '7200', '3600', '2', '1']);
    });

    it('deployRoot deploys params v1 with the built codes and prints the state', async () => {
        const s = await state();
        expect(s.owner.equals(provider.wallet.address)).toBe(true);
        expect([s.version, s.params.paramsVersion, s.params.uniqueId, s.params.isTest]).toEqual([0, 1, 17, true]);
        expect([s.params.pricePerToken, s.params.workerFeePerToken, s.params.minProxyStake, s.params.minClientStake]).toEqual([
            20n, 10n, toNano('2'), toNano('1'),
        ]);
        expect(s.params.proxyScCode!.equals(contractCodes().proxy)).toBe(true);
        expect(ui.output()).toContain(`deployed the root at ${root.toString()}`);
    });

    it('deployRoot asks for what is missing on the command line', async () => {
        await as(['18', 'no', '20', '10', '1', '1', '1', '1']);
        const other = await deployRoot(provider, [provider.wallet.address.toString()]);
        expect(ui.asked[0]).toBe('unique_id (uint32):');
        expect((await readRootState(blockchain.provider(other))).params.uniqueId).toBe(18);
    });

    it('hash scripts add and remove worker, proxy and model hashes', async () => {
        await addWorkerHash(await as(), [root.toString(), HASH]);
        expect(ui.output()).toContain(`added worker hash ${HASH}`);
        await addProxyHash(await as(), [root.toString(), '0x' + HASH]);
        await addModel(await as(), [root.toString(), 'Qwen/Qwen3-32B']);
        let s = await state();
        expect([s.registry.workerHashes, s.registry.proxyHashes, s.registry.modelHashes]).toEqual([
            [BigInt('0x' + HASH)], [BigInt('0x' + HASH)], [modelHash('Qwen/Qwen3-32B')],
        ]);
        await removeWorkerHash(await as(), [root.toString(), HASH]);
        await removeModel(await as(), [root.toString(), 'Qwen/Qwen3-32B']);
        s = await state();
        expect([s.registry.workerHashes, s.registry.modelHashes]).toEqual([[], []]);
        expect(s.version).toBe(5);
    });

    it('hash scripts refuse bad hashes and pointless changes before sending anything', async () => {
        await expect(addWorkerHash(await as(), [root.toString(), 'xyz'])).rejects.toThrow(ArgumentError);
        await expect(removeWorkerHash(await as(), [root.toString(), HASH])).rejects.toThrow(
            new ScriptError(`worker hash ${HASH} is not in the registry`),
        );
    });

    it('proxy scripts register, update and unregister endpoints', async () => {
        await registerProxy(await as(), [root.toString(), '10.0.0.1:8080 10.0.0.1:9090']);
        const seqno = (await state()).registry.lastProxySeqno;
        await updateProxy(await as(), [root.toString(), String(seqno), '10.0.0.2:8080']);
        expect((await state()).registry.registeredProxies.get(seqno)).toEqual({ type: 0, text: '10.0.0.2:8080' });
        expect(ui.output()).toContain(`#${seqno} 10.0.0.2:8080`);
        await unregisterProxy(await as(), [root.toString(), String(seqno)]);
        expect((await state()).registry.registeredProxies.has(seqno)).toBe(false);
        await expect(updateProxy(await as(), [root.toString(), String(seqno), '1.1.1.1:1'])).rejects.toThrow(
            new ScriptError(`no proxy is registered under seqno ${seqno}`),
        );
        await expect(registerProxy(await as(), [root.toString(), '10.0.0.1'])).rejects.toThrow(ArgumentError);
    });

    it('an op the root rejects after sending is reported, not printed as done', async () => {
        const before = await state();
        const missing = before.registry.lastProxySeqno + 100;
        await expect(sendRootOp(await as(), root, updateProxyBody(missing, '1.1.1.1:1', 7n), 'done')).rejects.toThrow(
            new ScriptError("the root rejected the operation (nothing changed): see its last transaction's exit code"),
        );
        expect((await state()).version).toBe(before.version);
        expect(ui.output()).not.toContain('done');
    });

    it('price and params scripts start a new generation', async () => {
        const v = (await state()).params.paramsVersion;
        await changePrice(await as(), [root.toString(), '30', '15']);
        await changeParams(await as(), [root.toString(), '31', '16', '100', '50', '3', '0.5']);
        await changeAllParams(await as(), [root.toString(), '32', '17', '200', '100', '4', '0.25', '10000', '5000', '20000', '30000']);
        const p = (await state()).params;
        expect(p.paramsVersion).toBe(v + 3);
        expect([p.pricePerToken, p.workerFeePerToken, p.proxyDelayBeforeClose, p.clientDelayBeforeClose, p.minProxyStake, p.minClientStake]).toEqual([
            32n, 17n, 200, 100, toNano('4'), toNano('0.25'),
        ]);
        expect([p.promptTokensPriceMultiplier, p.cachedTokensPriceMultiplier, p.completionTokensPriceMultiplier, p.reasoningTokensPriceMultiplier]).toEqual([
            10000, 5000, 20000, 30000,
        ]);
        await expect(changePrice(await as(), [root.toString(), '10', '11'])).rejects.toThrow(
            new ScriptError('worker fee 11 exceeds the price 10: workers could never be paid'),
        );
    });

    it('upgradeContracts hands out the built codes and showRoot prints them', async () => {
        const v = (await state()).params.paramsVersion;
        await upgradeContracts(await as(), [root.toString()]);
        expect((await state()).params.paramsVersion).toBe(v + 1);
        await showRoot(await as(), [root.toString()]);
        expect(ui.output()).toContain(`worker ${contractCodes().worker.hash().toString('hex')}`);
    });

    it('resetRoot needs a confirmation and keeps the seqno', async () => {
        await expect(resetRoot(await as(), [root.toString(), 'no'])).rejects.toThrow(new ScriptError('reset not confirmed'));
        await addWorkerHash(await as(), [root.toString(), HASH]);
        const seqno = (await state()).registry.lastProxySeqno;
        await resetRoot(await as(), [root.toString(), 'yes']);
        const s = await state();
        expect([s.registry.workerHashes, s.registry.lastProxySeqno]).toEqual([[], seqno]);
    });

    it('changeRootOwner hands over; the old owner\'s scripts then refuse to send', async () => {
        const next = await blockchain.treasury('next owner');
        await changeRootOwner(await as(), [root.toString(), next.address.toString()]);
        expect((await state()).owner.equals(next.address)).toBe(true);
        await expect(addWorkerHash(await as(), [root.toString(), HASH])).rejects.toThrow(
            new ScriptError(`the sender ${provider.wallet.address.toString()} is not the root owner ${next.address.toString()}`),
        );
    });

    it('upgradeRoot refuses the code the root already runs and installs a new build', async () => {
        const next = blockchain.treasury('next owner');
        provider = new SandboxNetworkProvider(blockchain, await next, ui);
        await expect(upgradeRoot(await as(), [root.toString()])).rejects.toThrow(new ScriptError('the root already runs this code'));
        const dir = mkdtempSync(join(tmpdir(), 'cocoon-build-'));
        const code = beginCell().storeUint(0xc0de, 16).endCell();
        writeFileSync(join(dir, 'CocoonRoot.compiled.json'), JSON.stringify({ hex: code.toBoc().toString('hex') }));
        process.env.COCOON_BUILD_DIR = dir;
        try {
            await upgradeRoot(await as(), [root.toString()]);
        } finally {
            delete process.env.COCOON_BUILD_DIR;
        }
        const acc = (await blockchain.getContract(root)).accountState;
        expect(acc?.type === 'active' && acc.state.code!.equals(code)).toBe(true);
        expect(ui.output()).toContain(`root code is now ${code.hash().toString('hex')}`);
    });
});
