import { toNano } from '@ton/core';
import { internalMessageCell, ownerSendMessageBody } from '../../wrappers/wallet';
import { deployWallet } from '../helpers/walletFixture';
import { computeGas } from './measure';
import { GasScenario } from './reference';

export const scenarios: GasScenario[] = [
    {
        op: 'owner_wallet_send_message',
        note: 'one non-bounceable 0.1 TON message, mode 1',
        run: async () => {
            const f = await deployWallet();
            const message = internalMessageCell({ to: f.stranger.address, value: toNano('0.1'), bounce: false });
            const r = await f.owner.send({ to: f.wallet.address, value: toNano('0.05'), body: ownerSendMessageBody(message, 1) });
            const tx = r.transactions.find((t) => t.inMessage?.info.dest?.toString() === f.wallet.address.toString())!;
            return [computeGas(tx)];
        },
    },
];
