import { NetworkProvider, sleep } from '@ton/blueprint';
import { SenderArguments } from '@ton/core';
import { ScriptError } from './codes';

const POLL_INTERVAL_MS = 2000;
const TIMEOUT_MS = 120_000;

/**
 * Sends from the connected wallet and waits until the target contract has executed a new transaction.
 * Blueprint's `waitForLastTransaction()` follows only senders that hand back the external BoC (TonConnect) and
 * throws "Not implemented" for mnemonic wallets, so we watch the target itself: that works with every sender.
 * There is no `bounce`: Blueprint's senders ignore it (their messages are always bounceable) and warn when it is set.
 */
export async function sendAndWait(provider: NetworkProvider, args: Omit<SenderArguments, 'bounce'>): Promise<void> {
    const lastLt = async () => (await provider.getContractState(args.to)).last?.lt ?? null;
    const before = await lastLt();
    await provider.sender().send(args);
    const deadline = Date.now() + TIMEOUT_MS;
    while ((await lastLt()) === before) {
        if (Date.now() > deadline) {
            throw new ScriptError(
                `${args.to.toString()} executed no new transaction within ${TIMEOUT_MS / 1000} s: check your wallet's transactions`,
            );
        }
        await sleep(POLL_INTERVAL_MS);
    }
}
