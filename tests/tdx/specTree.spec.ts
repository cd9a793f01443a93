import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { computeSpecTreeHash, copyAndMeasureSpecTree, MAX_SPEC_FILE_BYTES } from '../../tdx/src/specTree/specTree';
import { SpecTreeError } from '../../tdx/src/errors';
import { gitSpecTreeHash, SampleEntry, tempDir, writeSample } from './gitReference';

const made: string[] = [];
function sample(entries: Record<string, SampleEntry>): string {
    const dir = tempDir('spec');
    made.push(dir);
    writeSample(dir, entries);
    return dir;
}
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const EMPTY_TREE = '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321';

const workerConfig: Record<string, SampleEntry> = {
    'init': { exec: '#!/bin/sh\nexec cocoon worker --config /run/spec/worker.json\n' },
    'worker-config.json': '{"http_port": 12000, "model": "$MODEL_NAME"}\n',
    'global.config.json': '{"liteservers": []}\n',
    'units/cocoon-worker.service': '[Service]\nExecStart=/spec/init\n',
    'units/nested/deeper/file.txt': 'deep\n',
    'model.verity_hash': '$MODEL_VERITY_HASH\n',
    'current': { link: 'worker-config.json' },
    'dangling': { link: '/does/not/exist' },
    'units/up': { link: '..' },
    'runtime/runtime.vars': 'OWNER_ADDRESS=EQ...\n',
    'runtime/global.config.json': '{"liteservers": [1]}\n',
    'spec.tree': 'abc\n',
    'spec.meta': 'meta\n',
    'empty/': { dir: true },
};

describe('spec-tree hash against real git (SHA-256 object format)', () => {
    test('empty folder is the empty tree', () => {
        const dir = sample({});
        expect(computeSpecTreeHash(dir)).toBe(EMPTY_TREE);
        expect(gitSpecTreeHash(dir)).toBe(EMPTY_TREE);
    });

    test('one file has the id git gives it', () => {
        const dir = sample({ a: 'hi\n' });
        expect(computeSpecTreeHash(dir)).toBe('001cc91be706c78c4f70ff2e0d4034fb366e9742e04bcd0754666eeb9687b95a');
        expect(gitSpecTreeHash(dir)).toBe('001cc91be706c78c4f70ff2e0d4034fb366e9742e04bcd0754666eeb9687b95a');
    });

    test('nested folders, executables, symlinks, runtime/, spec.tree, spec.meta, empty folders', () => {
        const dir = sample(workerConfig);
        expect(computeSpecTreeHash(dir)).toBe(gitSpecTreeHash(dir));
    });

    test('changing a measured file, its mode or a link target changes the hash; runtime/ does not', () => {
        const dir = sample(workerConfig);
        const base = computeSpecTreeHash(dir);
        fs.writeFileSync(path.join(dir, 'runtime/runtime.vars'), 'OWNER_ADDRESS=other\n');
        fs.writeFileSync(path.join(dir, 'spec.tree'), 'other\n');
        expect(computeSpecTreeHash(dir)).toBe(base);
        fs.chmodSync(path.join(dir, 'init'), 0o644);
        const modeChanged = computeSpecTreeHash(dir);
        expect(modeChanged).not.toBe(base);
        expect(modeChanged).toBe(gitSpecTreeHash(dir));
        fs.unlinkSync(path.join(dir, 'current'));
        fs.symlinkSync('global.config.json', path.join(dir, 'current'));
        expect(computeSpecTreeHash(dir)).not.toBe(modeChanged);
        expect(computeSpecTreeHash(dir)).toBe(gitSpecTreeHash(dir));
    });

    test('git name ordering: a folder sorts as name + "/"', () => {
        const dir = sample({
            'foo/x': '1', 'foo.txt': '2', 'foo-bar': '3', 'foo0': '4', 'Foo': '5', 'foo_': '6', 'fo': '7', 'a b': '8',
        });
        expect(computeSpecTreeHash(dir)).toBe(gitSpecTreeHash(dir));
    });

    test('.gitignore rules, nested overrides, negation, anchors, ** and classes', () => {
        const dir = sample({
            '.gitignore': [
                '# comment',
                '*.log',
                '!keep.log',
                '/build/',
                'tmp/',
                'docs/**/*.md',
                '**/secret',
                'a/**/b',
                '[abc].txt',
                '[!x-z]?.cfg',
                '\\#hash',
                'trailing   ',
                'escaped\\ ',
                'cache/*',
                '!cache/keep',
                'gone/',
                '!gone/back',
                'onlydir/',
                'sub/anchored.txt',
                'x[[:digit:]]y',
                '',
            ].join('\n'),
            'app.log': 'x', 'keep.log': 'k', 'build/out': 'o', 'src/build/out': 'kept: /build/ is anchored',
            'tmp/t': 't', 'src/tmp/t': 't', 'docs/a.md': 'top-level md under docs', 'docs/x/y/b.md': 'b', 'docs/x/c.txt': 'c',
            'secret': 's', 'deep/er/secret': 's', 'a/b': 'ab', 'a/x/y/b': 'axyb', 'a/bb': 'kept',
            'a.txt': 'a', 'd.txt': 'd', 'q1.cfg': 'q', 'x1.cfg': 'kept', '#hash': 'h', 'trailing': 't', 'escaped ': 'e',
            'cache/one': '1', 'cache/keep': 'k', 'gone/back': 'cannot be re-included', 'gone/other': 'o',
            'onlydir': 'a file, not a folder', 'sub/anchored.txt': 'ignored', 'other/sub/anchored.txt': 'kept',
            'x5y': 'ignored', 'xay': 'kept',
            'nested/.gitignore': '!*.log\nlocal.txt\n/top-only\n',
            'nested/debug.log': 'kept by nested negation', 'nested/local.txt': 'ignored', 'nested/top-only': 'ignored',
            'nested/deeper/top-only': 'kept', 'nested/deeper/local.txt': 'ignored',
            'runtime/.gitignore': '*\n', 'allignored/x.log': 'only ignored content',
            'ignored-link.log': { link: 'app.log' },
        });
        const ours = computeSpecTreeHash(dir);
        expect(ours).toBe(gitSpecTreeHash(dir));
        // Ignored files are not measured at all.
        fs.writeFileSync(path.join(dir, 'app.log'), 'changed');
        fs.writeFileSync(path.join(dir, 'gone/back'), 'changed');
        expect(computeSpecTreeHash(dir)).toBe(ours);
    });

    test('randomised trees and ignore rules agree with git', () => {
        let seed = 12345;
        const rand = (n: number): number => {
            seed = (seed * 1103515245 + 12345) & 0x7fffffff;
            return seed % n;
        };
        const names = ['a', 'b', 'c.txt', 'd.log', 'e.json', 'x', 'run.sh', 'sub'];
        const patterns = ['*.log', '!d.log', 'a/', '/b', 'sub/**', '!sub/keep', '**/x', 'c.*', '?.json', 'sub/*/a', '[ab]', '!a'];
        for (let round = 0; round < 6; round++) {
            const entries: Record<string, SampleEntry> = {};
            for (let i = 0; i < 25; i++) {
                const depth = rand(4);
                const parts = Array.from({ length: depth + 1 }, () => names[rand(names.length)]);
                entries[parts.join('/')] = rand(5) === 0 ? { exec: `#!/bin/sh\n${i}\n` } : `file ${i}\n`;
            }
            const ignoreAt = ['', 'sub/', 'a/'][rand(3)];
            entries[`${ignoreAt}.gitignore`] = Array.from({ length: 4 }, () => patterns[rand(patterns.length)]).join('\n');
            // A path cannot be both a file and a folder; keep the folder.
            for (const key of Object.keys(entries)) {
                if (Object.keys(entries).some((other) => other.startsWith(`${key}/`))) delete entries[key];
            }
            const dir = sample(entries);
            expect({ round, hash: computeSpecTreeHash(dir) }).toEqual({ round, hash: gitSpecTreeHash(dir) });
        }
    });
});

describe('copyAndMeasureSpecTree', () => {
    test('copies exactly the measured files with normalised modes, plus runtime/ verbatim', () => {
        const src = sample({ ...workerConfig, '.gitignore': '*.bak\n', 'old.bak': 'x', 'units/.gitignore': 'tmp\n', 'units/tmp': 't' });
        fs.chmodSync(path.join(src, 'worker-config.json'), 0o600);
        const dst = path.join(tempDir('spec-copy'), 'spec');
        made.push(path.dirname(dst));
        const hash = copyAndMeasureSpecTree(src, dst);
        expect(hash).toBe(computeSpecTreeHash(src));
        expect(computeSpecTreeHash(dst)).toBe(hash);
        const list = execFileSync('find', ['.', '-mindepth', '1', '-printf', '%P %y %m\n'], { cwd: dst, encoding: 'utf8' })
            .trim().split('\n').sort();
        expect(list).toEqual([
            'current l 777', 'dangling l 777', 'global.config.json f 644', 'init f 755', 'model.verity_hash f 644',
            'runtime d 755', 'runtime/global.config.json f 644', 'runtime/runtime.vars f 644',
            'units d 755', 'units/cocoon-worker.service f 644', 'units/nested d 755', 'units/nested/deeper d 755',
            'units/nested/deeper/file.txt f 644', 'units/up l 777', 'worker-config.json f 644',
        ]);
    });

    test('a destination that is a file is a clear error, not a crash', () => {
        const src = sample({ a: '1' });
        const file = path.join(sample({ f: 'x' }), 'f');
        expect(() => copyAndMeasureSpecTree(src, file)).toThrow(new SpecTreeError(`cannot scandir ${file} (ENOTDIR)`));
    });

    test('refuses a destination that is not empty', () => {
        const src = sample({ a: '1' });
        const dst = sample({ b: '2' });
        expect(() => copyAndMeasureSpecTree(src, dst)).toThrow(new SpecTreeError(`destination ${dst} is not empty`));
    });
});

describe('refusals', () => {
    test('nested repository', () => {
        const dir = sample({ 'vendor/.git/HEAD': 'ref: refs/heads/main\n' });
        expect(() => computeSpecTreeHash(dir)).toThrow(new SpecTreeError('nested repository vendor/.git is not allowed'));
    });

    test('a .git folder at the root (the operator keeps the config in git) is not measured', () => {
        const dir = sample({ 'a': '1', '.git/HEAD': 'x' });
        expect(computeSpecTreeHash(dir)).toBe(computeSpecTreeHash(sample({ a: '1' })));
    });

    test('file over the size limit', () => {
        const dir = sample({ 'model/weights.bin': '' });
        fs.truncateSync(path.join(dir, 'model/weights.bin'), MAX_SPEC_FILE_BYTES + 1);
        expect(() => computeSpecTreeHash(dir)).toThrow(
            new SpecTreeError('model/weights.bin is 10485761 bytes, larger than the 10485760-byte limit'),
        );
    });

    test('special files', () => {
        const dir = sample({});
        execFileSync('mkfifo', [path.join(dir, 'pipe')]);
        expect(() => computeSpecTreeHash(dir)).toThrow(new SpecTreeError('pipe is not a regular file, directory or symlink'));
    });

    test('missing folder, or a file instead of a folder', () => {
        const dir = sample({ f: 'x' });
        expect(() => computeSpecTreeHash(path.join(dir, 'nope'))).toThrow(
            new SpecTreeError(`config folder ${path.join(dir, 'nope')} does not exist`),
        );
        expect(() => computeSpecTreeHash(path.join(dir, 'f'))).toThrow(
            new SpecTreeError(`config folder ${path.join(dir, 'f')} is not a directory`),
        );
    });

    test('a .gitignore that is a symlink', () => {
        const dir = sample({ 'rules': '*.log\n', '.gitignore': { link: 'rules' } });
        expect(() => computeSpecTreeHash(dir)).toThrow(new SpecTreeError('.gitignore is not a regular file'));
    });
});
