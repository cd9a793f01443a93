import { fromNano, toNano } from '@ton/core';
import { Command } from 'commander';
import { CliInputError } from './errors';
import { parseAddress, readServiceBasics } from './serviceBasics';

const STATES = ['normal', 'closing', 'closed'];
/** Every client op needs 0.1 TON for its fees on top of what it moves (COMMISSION_ESTIMATE); the rest returns as excess. */
const OP_VALUE = toNano('0.2');

function parseTon(text: string): bigint {
    if (!/^\d+(\.\d{1,9})?$/.test(text)) throw new CliInputError(`amount "${text}" is not a TON amount like 1.5`);
    const v = toNano(text);
    if (v <= 0n) throw new CliInputError('amount must be more than 0 TON');
    return v;
}

/**
 * `cocoon client-contract --config F --proxy <proxy contract> status|top-up <ton>|withdraw|refund`: the client's
 * contract for one proxy, acted on with the client's wallet. For a running client service use its admin API instead
 * (two senders on one wallet race for its seqno).
 */
export function registerClientContract(program: Command): void {
    program
        .command('client-contract')
        .description("the client's contract with a proxy: status, top-up, withdraw, refund")
        .argument('<action>', 'status | top-up | withdraw | refund')
        .argument('[amount]', 'TON, for top-up')
        .requiredOption('--config <file>', 'client config (root, chain, wallet)')
        .requiredOption('--proxy <address>', 'proxy contract address')
        .option('--json', 'print JSON (status)')
        .action(async (action: string, amount: string | undefined, o: { config: string; proxy: string; json?: boolean }) => {
            if (!['status', 'top-up', 'withdraw', 'refund'].includes(action)) throw new CliInputError(`unknown action "${action}" (status, top-up, withdraw, refund)`);
            if (action === 'top-up' && !amount) throw new CliInputError('top-up needs an amount in TON');
            const { clientStateInit } = await import('../../wrappers/addresses');
            const { clientMessages } = await import('../../wrappers/client');
            const { CocoonProxy, readProxyParams, readProxyState } = await import('../../wrappers/proxy');
            const { readClientContract, cocoonWalletAdapter } = await import('../chain/cocoon');
            const { WalletSender } = await import('../chain/walletSender');
            const { contractAddress } = await import('@ton/core');

            const b = readServiceBasics(o.config, 'client');
            const proxyAddr = parseAddress(o.proxy, '--proxy');
            const proxy = b.chain.open(CocoonProxy.fromAddress(proxyAddr));
            const [proxyState, params] = await Promise.all([readProxyState(proxy), readProxyParams(proxy)]);
            const wallet = await cocoonWalletAdapter(b.key, b.owner);
            const init = clientStateInit({ owner: wallet.address, proxyAddress: proxyAddr, proxyPublicKey: proxyState.proxyPublicKey, params });
            const client = contractAddress(0, init);
            const deployed = (await b.chain.getAccount(client)).state === 'active';

            if (action === 'status') {
                if (!deployed) return console.log(o.json ? JSON.stringify({ address: client.toString(), deployed: false }) : `client contract ${client.toString()} is not deployed`);
                const s = await readClientContract(b.chain, client);
                const view = {
                    address: client.toString(),
                    deployed: true,
                    state: STATES[s.state],
                    balance: fromNano(s.balance),
                    stake: fromNano(s.stake),
                    tokensUsed: s.tokensUsed.toString(),
                    unlockTs: s.unlockTs,
                };
                if (o.json) return console.log(JSON.stringify(view, null, 2));
                console.log(`client contract ${view.address}`);
                console.log(`  state ${view.state}${s.unlockTs ? `, unlocks at ${new Date(s.unlockTs * 1000).toISOString()}` : ''}`);
                console.log(`  balance ${view.balance} TON, stake ${view.stake} TON, tokens charged ${view.tokensUsed}`);
                return;
            }
            if (!deployed && action !== 'top-up') throw new CliInputError(`client contract ${client.toString()} is not deployed: nothing to ${action}`);
            const queryId = BigInt(Date.now());
            const message =
                action === 'top-up'
                    ? { to: client, value: parseTon(amount!) + OP_VALUE, body: clientMessages.topUp(queryId, parseTon(amount!), wallet.address), init: deployed ? undefined : init }
                    : action === 'withdraw'
                      ? { to: client, value: OP_VALUE, body: clientMessages.withdraw(queryId, wallet.address) }
                      : { to: client, value: OP_VALUE, body: clientMessages.requestRefund(queryId, wallet.address) };
            const sender = new WalletSender(b.chain, wallet, { pollMs: 500 });
            try {
                const outcome = await sender.send(message);
                const exit = outcome.destination?.outcome.exitCode;
                if (outcome.status !== 'delivered') throw new Error(`${action} ${outcome.status}${exit !== undefined && exit !== null ? ` (exit code ${exit})` : ''}`);
                console.log(`${action} done: transaction ${outcome.destination!.hash.toString('hex')} on ${client.toString()}`);
            } finally {
                sender.stop();
            }
        });
}
