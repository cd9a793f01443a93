import { Address, toNano } from '@ton/core';
import { scriptWorld, ScriptWorld } from './payments.scripts';
import { proxyKeys, TON } from './payments.fixtures';
import { run as deploy } from '../../scripts/proxyDeploy';
import { run as increaseStake } from '../../scripts/proxyIncreaseStake';
import { run as withdraw } from '../../scripts/proxyWithdraw';
import { run as close } from '../../scripts/proxyClose';
import { run as closeComplete } from '../../scripts/proxyCloseComplete';
import { CocoonProxy, ProxyState, readProxyState } from '../../wrappers/proxy';
import { signEnvelope } from '../../wrappers/signing';
import { ArgumentError } from '../../scripts/lib/args';

describe('proxy scripts', () => {
    let w: ScriptWorld;
    const key = proxyKeys.publicKey.toString('hex');
    beforeEach(async () => {
        w = await scriptWorld();
        w.blockchain.now = Math.floor(Date.now() / 1000);
    });

    it('deploy (arguments), increase stake, withdraw, close, close-complete', async () => {
        const { provider, ui } = w.as(w.owner);
        const proxy = await deploy(provider, [w.root.address.toString(), w.owner.address.toString(), key]);
        expect(ui.output()).toContain('deployed the proxy of params version 1');
        const opened = w.blockchain.openContract(CocoonProxy.fromAddress(proxy));
        expect((await readProxyState(opened)).root.equals(w.root.address)).toBe(true);

        await increaseStake(provider, [proxy.toString(), '1.5']);
        expect(await readProxyState(opened)).toMatchObject({ stake: toNano('1.5'), stakeCovered: true });
        expect(ui.output()).toContain('stake 1.5 TON (minimum 1: covered)');

        await withdraw(provider, [proxy.toString()]);
        expect(ui.output()).toContain(`asked to pay 0 nanoTON of earnings to ${w.owner.address.toString()}`);

        await close(provider, [proxy.toString()]);
        expect((await readProxyState(opened)).state).toBe(ProxyState.closing);

        w.blockchain.now! += 3600;
        const env = signEnvelope({ kind: 'closeComplete', queryId: 5n, expectedMyAddress: proxy }, proxyKeys.secretKey, w.stranger.address);
        await closeComplete(provider, [proxy.toString(), env.toBoc().toString('base64')]);
        expect(await readProxyState(opened)).toMatchObject({ state: ProxyState.closed, stake: 0n });
    });

    it('deploy asks for missing arguments', async () => {
        const { provider, ui } = w.as(w.owner, [w.root.address.toString(), w.stranger.address.toString(), key]);
        const proxy = await deploy(provider, []);
        expect(ui.asked).toEqual(['root:', 'proxy owner (payout address):', 'proxy public key (Ed25519 key, hex or base64):']);
        expect((await readProxyState(w.blockchain.openContract(CocoonProxy.fromAddress(proxy)))).owner.equals(w.stranger.address)).toBe(true);
    });

    it('refuses bad input with a clear error', async () => {
        const { provider } = w.as(w.owner);
        await expect(deploy(provider, ['nope', w.owner.address.toString(), key])).rejects.toThrow(new ArgumentError('root: "nope" is not a TON address (raw 0:<hex> or user-friendly)'));
        await expect(increaseStake(provider, [w.stranger.address.toString(), '1'])).rejects.toThrow(
            new ArgumentError(`proxy: ${w.stranger.address.toString()} is not a COCOON proxy contract`),
        );
        const nowhere = Address.parse('0:' + '00'.repeat(32));
        await expect(withdraw(provider, [nowhere.toString()])).rejects.toThrow(new ArgumentError(`proxy: no contract is deployed at ${nowhere.toString()}`));
        const proxy = await deploy(provider, [w.root.address.toString(), w.owner.address.toString(), key]);
        await expect(close(w.as(w.stranger).provider, [proxy.toString()])).rejects.toThrow(`only the proxy owner ${w.owner.address.toString()} can close it`);
        const wrong = signEnvelope({ kind: 'closeRequest', queryId: 5n, expectedMyAddress: proxy }, proxyKeys.secretKey, w.stranger.address);
        await expect(closeComplete(provider, [proxy.toString(), wrong.toBoc().toString('hex')])).rejects.toThrow('envelope is a closeRequest, expected closeComplete');
        expect((await w.blockchain.getContract(proxy)).balance < TON).toBe(true);
    });
});
