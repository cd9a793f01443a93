// A sandbox with the real root, for the proxy/client/worker script suites.
import { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { deployRoot, RootFixture } from '../helpers/rootFixture';
import { SandboxNetworkProvider } from '../helpers/sandboxProvider';
import { scriptedUi, ScriptedUi } from '../helpers/ui';
import { testParams } from './payments.fixtures';

export interface ScriptWorld extends RootFixture {
    /** A provider whose wallet is `wallet`, answering prompts with `answers`. */
    as(wallet: SandboxContract<TreasuryContract>, answers?: string[]): { provider: SandboxNetworkProvider; ui: ScriptedUi };
}

export async function scriptWorld(): Promise<ScriptWorld> {
    const f = await deployRoot(testParams());
    return {
        ...f,
        as(wallet, answers = []) {
            const ui = scriptedUi(answers);
            return { provider: new SandboxNetworkProvider(f.blockchain, wallet, ui), ui };
        },
    };
}
