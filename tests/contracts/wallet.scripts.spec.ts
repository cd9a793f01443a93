import { beginCell, toNano } from '@ton/core';
import { Blockchain } from '@ton/sandbox';
import '@ton/test-utils';
import { ScriptError } from '../../scripts/lib/codes';
import { run as walletSend } from '../../scripts/walletSend';
import { run as walletWithdraw } from '../../scripts/walletWithdraw';
import { run as walletBlock } from '../../scripts/walletBlock';
import { run as walletUnblock } from '../../scripts/walletUnblock';
import { run as walletStatus } from '../../scripts/walletStatus';
import { readWalletState } from '../../wrappers/wallet';
import { deployWallet, WalletFixture } from '../helpers/walletFixture';
import { SandboxNetworkProvider } from '../helpers/sandboxProvider';
import { ScriptedUi } from '../helpers/ui';

describe('wallet scripts against a sandbox provider', () => {
    let f: WalletFixture;
    let ui: ScriptedUi;
    const as = (who: 'owner' | 'stranger' = 'owner', answers: string[] = []) => {
        ui = new ScriptedUi(answers);
        return new SandboxNetworkProvider(f.blockchain, who === 'owner' ? f.owner : f.stranger, ui);
    };
    const wallet = () => f.wallet.address.toString();

    beforeEach(async () => {
        f = await deployWallet();
    });

    it('walletSend makes the wallet send a message with a comment', async () => {
        await walletSend(as(), [wallet(), f.stranger.address.toString(), '1.5', 'no', 'comment:hello']);
        const balance = (await f.blockchain.getContract(f.stranger.address)).balance;
        expect(balance).toBeGreaterThan(toNano('1000001.49'));
        expect(ui.output()).toContain(`sent 1.5 TON to ${f.stranger.address.toString()} (mode 1)`);
    });

    it('walletSend accepts a BOC body and asks for missing arguments', async () => {
        const body = beginCell().storeUint(0xabcd, 16).endCell().toBoc().toString('base64');
        const p = as('owner', [f.stranger.address.toString(), '0.5', 'yes']);
        await walletSend(p, [wallet()]);
        expect(ui.asked).toEqual(['destination:', 'value (TON):', 'bounceable (yes/no):']);
        await walletSend(as(), [wallet(), f.stranger.address.toString(), '0.5', 'no', body, '0']);
        expect(ui.output()).toContain('(mode 0)');
    });

    it('walletBlock, walletUnblock and walletStatus', async () => {
        await walletBlock(as(), [wallet()]);
        expect((await readWalletState(f.blockchain.provider(f.wallet.address)))!.blocked).toBe(true);
        expect(ui.output()).toContain('BLOCKED');
        await walletUnblock(as(), [wallet()]);
        await walletStatus(as(), [wallet()]);
        expect(ui.output()).toContain('seqno 0, subwallet 0, key active');
        expect(ui.output()).toContain(`owner ${f.owner.address.toString()}`);
    });

    it('walletWithdraw leaves at most 0.01 TON', async () => {
        await walletWithdraw(as(), [wallet()]);
        expect((await f.blockchain.getContract(f.wallet.address)).balance).toBe(toNano('0.01'));
        expect(ui.output()).toContain('balance 0.01 TON');
    });

    it('refuses to send from a wallet that is not the owner, and on addresses without a wallet', async () => {
        await expect(walletBlock(as('stranger'), [wallet()])).rejects.toThrow(
            new ScriptError(`the sender ${f.stranger.address.toString()} is not the wallet owner ${f.owner.address.toString()}`),
        );
        await expect(walletStatus(as(), [f.stranger.address.toString()])).rejects.toThrow(
            new ScriptError(`${f.stranger.address.toString()}: account data is 256 bits and 0 refs, not a cocoon wallet (619 bits)`),
        );
    });
});
