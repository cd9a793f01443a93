import { realpathSync } from 'fs';
import { NetworkProvider, UIProvider } from '@ton/blueprint';
import { EXIT_BAD_INPUT, EXIT_FAILED, oneLine } from '../../offchain/cli/errors';
import { ArgumentError } from './args';

export type ScriptBody<T> = (provider: NetworkProvider, args: string[]) => Promise<T>;

/** Whether this process is `blueprint run` (the tests call the scripts' `run` in-process instead). */
function underBlueprintCli(): boolean {
    try {
        return realpathSync(process.argv[1] ?? '') === require.resolve('@ton/blueprint/dist/cli/cli.js');
    } catch {
        return false;
    }
}

/**
 * A UI that refuses to prompt: without a terminal the prompt would wait on a closed stdin until Node exits with 0,
 * having done nothing. The missing argument becomes bad input instead.
 */
function noPromptUi(ui: UIProvider): UIProvider {
    const refuse = (message: string): never => {
        throw new ArgumentError(`missing argument: ${message.replace(/:\s*$/, '')} (no terminal to ask on: give it on the command line)`);
    };
    return {
        write: (m) => ui.write(m),
        setActionPrompt: (m) => ui.setActionPrompt(m),
        clearActionPrompt: () => ui.clearActionPrompt(),
        prompt: async (m) => refuse(m),
        input: async (m) => refuse(m),
        inputAddress: async (m) => refuse(m),
        choose: async (m) => refuse(m),
    };
}

/**
 * The one error boundary of every Blueprint script (`export const run = script(async (provider, args) => …)`). Under
 * `blueprint run` a failure is one line on stderr, `error: <message>` without a stack (Blueprint itself would print
 * the error object, stack and all, and exit 1), with the exit codes of `cocoon` (docs/cli.md): 2 for a bad or missing
 * argument, 1 for anything else. Called in-process (tests), `run` throws as it is.
 */
export function script<T>(body: ScriptBody<T>): ScriptBody<T> {
    return async (provider, args) => {
        if (!underBlueprintCli()) return body(provider, args);
        const ui = process.stdin.isTTY ? provider.ui() : noPromptUi(provider.ui());
        const guarded = new Proxy(provider, {
            get: (target, key) => (key === 'ui' ? () => ui : Reflect.get(target, key, target)),
        });
        try {
            return await body(guarded, args);
        } catch (e) {
            process.stderr.write(`error: ${oneLine(e)}\n`);
            process.exit(e instanceof ArgumentError ? EXIT_BAD_INPUT : EXIT_FAILED);
        }
    };
}
