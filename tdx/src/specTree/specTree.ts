import * as fs from 'fs';
import * as path from 'path';
import { SpecTreeError } from '../errors';
import { blobId, TreeEntry, treeId } from './gitObjects';
import { IgnoreFile, isIgnored, parseGitignore } from './gitignore';

/**
 * The spec-tree hash of a config folder: the id `git write-tree` (SHA-256 object format) gives after `git add -A`
 * honouring every `.gitignore`, then unstaging the top-level `runtime/` (unmeasured, per-launch values),
 * `spec.tree`, `spec.meta` and every `.gitignore` file. Symlinks are measured as git does (mode 120000, the link
 * target as content); they are not followed.
 */

/** Larger files are refused: the config folder holds configs, not models. */
export const MAX_SPEC_FILE_BYTES = 10 * 1024 * 1024;

/** Top-level names that are never measured. */
const UNMEASURED_AT_ROOT = new Set(['.git', 'runtime', 'spec.tree', 'spec.meta']);

export function computeSpecTreeHash(root: string): string {
    return withFsErrors(() => measureDir(checkedRoot(root), '', [], null).toString('hex'));
}

/** File-system failures (permissions, a file where a folder should be) become one clear SpecTreeError. */
function withFsErrors<T>(body: () => T): T {
    try {
        return body();
    } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (e instanceof SpecTreeError || typeof err.code !== 'string') throw e;
        throw new SpecTreeError(`cannot ${err.syscall ?? 'access'} ${err.path ?? ''} (${err.code})`);
    }
}

/**
 * Copies the measured files of `src` into `dst` (which must not exist or be empty) with git-normalised modes,
 * copies `src/runtime/` verbatim, and returns the hash of exactly the bytes written. The init step uses this so the
 * guest runs from its private copy: a host that changes the shared folder after measurement changes nothing.
 */
export function copyAndMeasureSpecTree(src: string, dst: string): string {
    return withFsErrors(() => {
        const root = checkedRoot(src);
        if (fs.existsSync(dst) && fs.readdirSync(dst).length > 0) {
            throw new SpecTreeError(`destination ${dst} is not empty`);
        }
        fs.mkdirSync(dst, { recursive: true });
        const id = measureDir(root, '', [], dst);
        const runtime = path.join(root, 'runtime');
        if (fs.existsSync(runtime)) fs.cpSync(runtime, path.join(dst, 'runtime'), { recursive: true, verbatimSymlinks: true });
        return id.toString('hex');
    });
}

function checkedRoot(root: string): string {
    let st: fs.Stats;
    try {
        st = fs.statSync(root);
    } catch {
        throw new SpecTreeError(`config folder ${root} does not exist`);
    }
    if (!st.isDirectory()) throw new SpecTreeError(`config folder ${root} is not a directory`);
    return root;
}

function loadIgnoreFile(abs: string, rel: string): IgnoreFile | null {
    const file = path.join(abs, '.gitignore');
    let st: fs.Stats;
    try {
        st = fs.lstatSync(file);
    } catch {
        return null;
    }
    if (!st.isFile()) throw new SpecTreeError(`${join(rel, '.gitignore')} is not a regular file`);
    return { base: rel, rules: parseGitignore(fs.readFileSync(file, 'utf8')) };
}

function join(dir: string, name: string): string {
    return dir === '' ? name : `${dir}/${name}`;
}

/** Returns the tree id of one folder; `copyDir` (when not null) receives the measured content. */
function measureDir(abs: string, rel: string, ignores: IgnoreFile[], copyDir: string | null): Buffer {
    const own = loadIgnoreFile(abs, rel);
    const stack = own ? [...ignores, own] : ignores;
    const entries: TreeEntry[] = [];
    for (const name of fs.readdirSync(abs)) {
        if (rel === '' && UNMEASURED_AT_ROOT.has(name)) continue;
        if (name === '.gitignore') continue;
        const entryRel = join(rel, name);
        if (name === '.git') throw new SpecTreeError(`nested repository ${entryRel} is not allowed`);
        const entryAbs = path.join(abs, name);
        const st = fs.lstatSync(entryAbs);
        const copyPath = copyDir === null ? null : path.join(copyDir, name);
        if (st.isDirectory()) {
            if (isIgnored(stack, entryRel, true)) continue;
            if (copyPath !== null) fs.mkdirSync(copyPath);
            const sub = measureSubdir(entryAbs, entryRel, stack, copyPath);
            if (sub !== null) entries.push({ mode: '40000', name, id: sub });
        } else if (st.isFile()) {
            if (isIgnored(stack, entryRel, false)) continue;
            if (st.size > MAX_SPEC_FILE_BYTES) {
                throw new SpecTreeError(`${entryRel} is ${st.size} bytes, larger than the ${MAX_SPEC_FILE_BYTES}-byte limit`);
            }
            const content = fs.readFileSync(entryAbs);
            const executable = (st.mode & 0o100) !== 0;
            if (copyPath !== null) fs.writeFileSync(copyPath, content, { mode: executable ? 0o755 : 0o644 });
            entries.push({ mode: executable ? '100755' : '100644', name, id: blobId(content) });
        } else if (st.isSymbolicLink()) {
            if (isIgnored(stack, entryRel, false)) continue;
            const target = fs.readlinkSync(entryAbs, { encoding: 'buffer' });
            if (copyPath !== null) fs.symlinkSync(target, copyPath);
            entries.push({ mode: '120000', name, id: blobId(target) });
        } else {
            throw new SpecTreeError(`${entryRel} is not a regular file, directory or symlink`);
        }
    }
    return treeId(entries);
}

/** Like measureDir, but a folder with nothing measured inside is omitted, as git does not record empty trees. */
function measureSubdir(abs: string, rel: string, ignores: IgnoreFile[], copyDir: string | null): Buffer | null {
    const id = measureDir(abs, rel, ignores, copyDir);
    if (!id.equals(EMPTY_TREE_ID)) return id;
    if (copyDir !== null) fs.rmSync(copyDir, { recursive: true });
    return null;
}

const EMPTY_TREE_ID = treeId([]);
