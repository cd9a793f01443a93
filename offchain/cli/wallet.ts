import { Address, fromNano } from '@ton/core';
import { Command } from 'commander';
import { readServiceBasics, type Role } from './serviceBasics';

export interface WalletStatus {
    address: string;
    owner: string;
    balance: string;
    state: 'active' | 'uninitialized' | 'frozen';
    seqno: number;
    blocked: boolean;
    /** Below this the wallet refuses key-signed sends (exit 1035). */
    minimum: string;
}

/** `cocoon wallet --config F`: the service's CocoonWallet: address, balance and status. */
export function registerWallet(program: Command): void {
    program
        .command('wallet')
        .description("show a service's wallet (address, balance, status) from its config")
        .requiredOption('--config <file>', 'proxy, worker or client config')
        .option('--role <role>', 'proxy, worker or client (which seed variable fills /wallet/seed)', 'client')
        .option('--json', 'print JSON')
        .action(async (o: { config: string; role: Role; json?: boolean }) => {
            const { readWalletState, walletFromInit, WALLET_MIN_BALANCE } = await import('../../wrappers/wallet');
            const b = readServiceBasics(o.config, o.role);
            const wallet = await walletFromInit(b.key.publicKey, b.owner);
            const account = await b.chain.getAccount(wallet.address);
            const state = await readWalletState(b.chain.provider(wallet.address));
            const s: WalletStatus = {
                address: wallet.address.toString(),
                owner: b.owner.toString(),
                balance: fromNano(account.balance),
                state: account.state,
                seqno: state?.seqno ?? 0,
                blocked: state?.blocked ?? false,
                minimum: fromNano(WALLET_MIN_BALANCE),
            };
            if (o.json) return console.log(JSON.stringify(s, null, 2));
            console.log(`wallet ${s.address}`);
            console.log(`  owner ${s.owner}`);
            console.log(`  balance ${s.balance} TON (${s.state}${s.state === 'uninitialized' ? ', deployed by its first send' : ''})`);
            console.log(`  seqno ${s.seqno}${s.blocked ? ', BLOCKED by its owner' : ''}`);
            if (account.balance < WALLET_MIN_BALANCE) console.log(`  below the ${s.minimum} TON the wallet needs to send: fund ${Address.parse(s.address).toString()}`);
        });
}
