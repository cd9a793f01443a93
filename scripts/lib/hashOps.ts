import { NetworkProvider } from '@ton/blueprint';
import { addHashBody, delHashBody, HashKind, modelHash } from '../../wrappers/root';
import { ArgReader } from './args';
import { script } from './boundary';
import { loadRoot, queryId, sendRootOp } from './root';
import { ScriptError } from './codes';

/**
 * The six hash scripts share this: `<root> <hash>` for proxy and worker image hashes (64 hex digits),
 * `<root> <model name>` for models (the root stores sha256 of the name).
 */
export function hashScript(action: 'add' | 'remove', kind: HashKind) {
    return script(async (provider: NetworkProvider, args: string[]) => {
        const a = new ArgReader(args, provider.ui());
        const root = await a.address('root address');
        let hash: bigint;
        let label: string;
        if (kind === 'model') {
            const name = await a.text('model name');
            hash = modelHash(name);
            label = `model "${name}" (sha256 ${hash.toString(16).padStart(64, '0')})`;
        } else {
            hash = await a.hash256(`${kind} image hash`);
            label = `${kind} hash ${hash.toString(16).padStart(64, '0')}`;
        }
        const registry = (await loadRoot(provider, root)).registry;
        const present = registry[`${kind}Hashes`].includes(hash);
        if (action === 'add' && present) throw new ScriptError(`${label} is already allowed`);
        if (action === 'remove' && !present) throw new ScriptError(`${label} is not in the registry`);
        const body = action === 'add' ? addHashBody(kind, hash, queryId()) : delHashBody(kind, hash, queryId());
        await sendRootOp(provider, root, body, `${action === 'add' ? 'added' : 'removed'} ${label}`);
    });
}
