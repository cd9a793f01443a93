import { Address, toNano } from '@ton/core';
import { sha256 } from '@ton/crypto';
import { scriptWorld, ScriptWorld } from './payments.scripts';
import { proxyKeys, TON } from './payments.fixtures';
import { run as deployProxy } from '../../scripts/proxyDeploy';
import { run as deploy } from '../../scripts/clientDeploy';
import { run as topUp } from '../../scripts/clientTopUp';
import { run as increaseStake } from '../../scripts/clientIncreaseStake';
import { run as withdraw } from '../../scripts/clientWithdraw';
import { run as requestRefund } from '../../scripts/clientRequestRefund';
import { run as changeSecret } from '../../scripts/clientChangeSecret';
import { CocoonClient, ClientState, readClientState } from '../../wrappers/client';

describe('client scripts', () => {
    let w: ScriptWorld;
    let proxy: Address;
    beforeEach(async () => {
        w = await scriptWorld();
        w.blockchain.now = Math.floor(Date.now() / 1000);
        proxy = await deployProxy(w.as(w.owner).provider, [w.root.address.toString(), w.owner.address.toString(), proxyKeys.publicKey.toString('hex')]);
    });

    it('deploy + register, top up, increase stake, change secret, withdraw, request refund', async () => {
        const { provider, ui } = w.as(w.stranger);
        const client = await deploy(provider, [proxy.toString(), '12345']);
        expect(ui.output()).toContain('registered with nonce 12345');
        const c = w.blockchain.openContract(CocoonClient.fromAddress(client));
        expect((await readClientState(c)).owner.equals(w.stranger.address)).toBe(true);

        await topUp(provider, [client.toString(), '5']);
        expect((await readClientState(c)).balance).toBe(5n * TON);
        expect(ui.output()).toContain('balance 5 TON, stake 1 TON');

        await increaseStake(provider, [client.toString(), '2']);
        expect((await readClientState(c)).stake).toBe(2n * TON);

        await changeSecret(provider, [client.toString(), 'open sesame']);
        expect((await readClientState(c)).secretHash).toBe(BigInt('0x' + (await sha256('open sesame')).toString('hex')));

        await withdraw(provider, [client.toString()]);
        expect((await readClientState(c)).balance).toBe(2n * TON);

        await requestRefund(provider, [client.toString()]);
        expect((await readClientState(c)).state).toBe(ClientState.closing);
        w.blockchain.now! += 3601;
        await requestRefund(provider, [client.toString()]);
        expect(await readClientState(c)).toMatchObject({ state: ClientState.closed, balance: 0n });
    });

    it('asks for missing arguments and refuses what the contract would reject', async () => {
        const { provider, ui } = w.as(w.stranger, [proxy.toString(), '7']);
        const client = await deploy(provider, []);
        expect(ui.asked).toEqual(['proxy:', 'register nonce (uint64):']);
        await expect(increaseStake(provider, [client.toString(), '1'])).rejects.toThrow(`new stake: must exceed the current ${TON} nanoTON`);
        await expect(withdraw(provider, [client.toString()])).rejects.toThrow(`nothing to withdraw: balance 0 does not exceed the stake ${TON}`);
        await expect(topUp(provider, [client.toString(), '-1'])).rejects.toThrow('top-up: "-1" is not an amount of TON');
        await expect(topUp(provider, [proxy.toString(), '1'])).rejects.toThrow(`client: ${proxy.toString()} is not a COCOON client contract`);
        expect((await w.blockchain.getContract(client)).balance > toNano('0.5')).toBe(true);
    });
});
