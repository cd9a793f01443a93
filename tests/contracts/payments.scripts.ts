// A sandbox with the real root, for the proxy/client/worker script suites.
import { SenderArguments } from '@ton/core';
import { SenderWithSendResult } from '@ton/blueprint';
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { deployRoot, RootFixture } from '../helpers/rootFixture';
import { SandboxNetworkProvider } from '../helpers/sandboxProvider';
import { scriptedUi, ScriptedUi } from '../helpers/ui';
import { testParams } from './payments.fixtures';

/**
 * The shared sandbox provider's `sender()` is the treasury's raw sender, which only queues the message; this one
 * sends through the opened treasury, so every message is processed before `send` returns, as on a real network
 * after `waitForLastTransaction`.
 */
class ProcessingProvider extends SandboxNetworkProvider {
    sender(): SenderWithSendResult {
        return { address: this.wallet.address, send: async (args: SenderArguments) => void (await this.wallet.send(args)) };
    }
}

export interface ScriptWorld extends RootFixture {
    /** A provider whose wallet is `wallet`, answering prompts with `answers`. */
    as(wallet: SandboxContract<TreasuryContract>, answers?: string[]): { provider: ProcessingProvider; ui: ScriptedUi };
}

export async function scriptWorld(): Promise<ScriptWorld> {
    const f = await deployRoot(testParams());
    return {
        ...f,
        as(wallet, answers = []) {
            const ui = scriptedUi(answers);
            return { provider: new ProcessingProvider(f.blockchain, wallet, ui), ui };
        },
    };
}
