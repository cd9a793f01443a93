import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** What real git says the spec-tree hash of `dir` is: the reference our TypeScript must reproduce. */
export function gitSpecTreeHash(dir: string): string {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cocoon-git-home-'));
    const env = { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
    const git = (...args: string[]): string =>
        execFileSync('git', ['-c', 'core.excludesFile=/dev/null', '-c', 'core.autocrlf=false', ...args], {
            cwd: dir,
            env,
            encoding: 'utf8',
        });
    try {
        git('init', '-q', '--object-format=sha256');
        git('add', '-A');
        const staged = git('ls-files', '-z').split('\0').filter((p) => p !== '');
        const unmeasured = staged.filter(
            (p) => p.startsWith('runtime/') || p === 'spec.tree' || p === 'spec.meta' || path.posix.basename(p) === '.gitignore',
        );
        if (unmeasured.length > 0) git('rm', '-q', '--cached', '--', ...unmeasured);
        return git('write-tree').trim();
    } finally {
        fs.rmSync(path.join(dir, '.git'), { recursive: true, force: true });
        fs.rmSync(home, { recursive: true, force: true });
    }
}

/** Writes a tree described as { 'a/b.txt': 'content', 'x': { link: 'target' }, 'run.sh': { exec: '...' } }. */
export type SampleEntry = string | { link: string } | { exec: string } | { dir: true };

export function writeSample(root: string, entries: Record<string, SampleEntry>): void {
    for (const [rel, entry] of Object.entries(entries)) {
        const abs = path.join(root, rel);
        fs.mkdirSync(path.dirname(abs), { recursive: true });
        if (typeof entry === 'string') fs.writeFileSync(abs, entry, { mode: 0o644 });
        else if ('link' in entry) fs.symlinkSync(entry.link, abs);
        else if ('exec' in entry) fs.writeFileSync(abs, entry.exec, { mode: 0o755 });
        else fs.mkdirSync(abs, { recursive: true });
    }
}

export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `cocoon-${prefix}-`));
}
