import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './gitReference';

/** Static checks of the image recipe and the systemd units: they run only on TDX hardware, so this is what CI sees. */

const TDX = path.join(__dirname, '../../tdx');
const UNITS = path.join(TDX, 'systemd');

/** INI as systemd and mkosi write it: section → key → values (a key may repeat; indented lines continue a value). */
function parseIni(text: string): Map<string, Map<string, string[]>> {
    const sections = new Map<string, Map<string, string[]>>();
    let current: Map<string, string[]> | undefined;
    let lastKey: string | undefined;
    for (const raw of text.split('\n')) {
        if (/^\s*(#|$)/.test(raw)) continue;
        const section = /^\[(.+)\]$/.exec(raw);
        if (section) {
            current = new Map();
            sections.set(section[1], current);
        } else if (/^\s/.test(raw) && current && lastKey) {
            current.get(lastKey)!.push(raw.trim());
        } else {
            const kv = /^([A-Za-z0-9]+)=(.*)$/.exec(raw);
            if (!kv || !current) throw new Error(`not INI: ${raw}`);
            lastKey = kv[1];
            current.set(kv[1], [...(current.get(kv[1]) ?? []), ...(kv[2] === '' ? [] : [kv[2]])]);
        }
    }
    return sections;
}
const ini = (file: string) => parseIni(fs.readFileSync(file, 'utf8'));

/** A root tree with every unit, stand-ins for the binaries they run, and the stock units they order against. */
function verifyRoot(units: string): string {
    const root = tempDir('units');
    const sys = path.join(root, 'usr/lib/systemd/system');
    fs.mkdirSync(sys, { recursive: true });
    for (const u of fs.readdirSync(units)) fs.copyFileSync(path.join(units, u), path.join(sys, u));
    const bins = ['usr/lib/cocoon/cocoon-init.sh', 'usr/lib/cocoon/open-model.sh', 'usr/bin/node', 'usr/bin/nvidia-smi',
        'usr/bin/umount', 'usr/bin/chown', 'usr/sbin/veritysetup', 'opt/vllm/bin/vllm'];
    for (const b of bins) {
        fs.mkdirSync(path.dirname(path.join(root, b)), { recursive: true });
        fs.writeFileSync(path.join(root, b), '#!/bin/sh\n', { mode: 0o755 });
    }
    for (const t of ['sysinit', 'basic', 'shutdown', 'local-fs', 'multi-user', 'network-online', 'timers', 'umount', 'sockets', 'paths', 'slices']) {
        fs.writeFileSync(path.join(sys, `${t}.target`), '[Unit]\n');
    }
    for (const s of ['systemd-modules-load', 'nvidia-persistenced']) {
        fs.writeFileSync(path.join(sys, `${s}.service`), '[Service]\nExecStart=/usr/bin/node\n');
    }
    return root;
}

function systemdVerify(units: string): { status: number | null; output: string } {
    const root = verifyRoot(units);
    const files = fs.readdirSync(units).map((u) => path.join(root, 'usr/lib/systemd/system', u));
    const r = spawnSync('systemd-analyze', ['verify', `--root=${root}`, ...files], { encoding: 'utf8', cwd: root });
    fs.rmSync(root, { recursive: true, force: true });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('systemd units', () => {
    test('systemd-analyze verify accepts every unit', () => {
        expect(systemdVerify(UNITS)).toEqual({ status: 0, output: '' });
    });

    test('systemd-analyze verify reports a mistake (so the check above can fail)', () => {
        const broken = tempDir('units-broken');
        fs.writeFileSync(path.join(broken, 'x.service'), '[Service]\nExecStrat=/usr/bin/node\nExecStart=/usr/bin/node\n');
        expect(systemdVerify(broken).output).toContain("Unknown key 'ExecStrat' in section [Service], ignoring.");
        fs.rmSync(broken, { recursive: true });
    });

    test('every cocoon unit a unit depends on exists', () => {
        const names = new Set(fs.readdirSync(UNITS));
        for (const unit of names) {
            const deps = [...ini(path.join(UNITS, unit)).get('Unit')?.entries() ?? []]
                .filter(([k]) => ['Requires', 'Wants', 'After', 'Before'].includes(k))
                .flatMap(([, v]) => v.join(' ').split(/\s+/))
                .filter((d) => d.startsWith('cocoon-') || d === 'mnt-spec.mount');
            for (const d of deps) expect({ unit, dep: d, exists: names.has(d) }).toEqual({ unit, dep: d, exists: true });
        }
    });

    test('the worker and the engine start only after the GPU check passed', () => {
        for (const unit of ['cocoon-worker.service', 'cocoon-vllm.service']) {
            const u = ini(path.join(UNITS, unit)).get('Unit')!;
            expect(u.get('Requires')!.join(' ')).toContain('cocoon-gpu-check.service');
            expect(u.get('After')!.join(' ')).toContain('cocoon-gpu-check.service');
        }
        const check = ini(path.join(UNITS, 'cocoon-gpu-check.service')).get('Service')!;
        expect(check.get('Type')).toEqual(['oneshot']);
        expect(check.get('ExecStart')).toEqual(['/usr/bin/node /opt/cocoon/bin/cocoon.js attest gpu-check']);
    });

    test('the init unit runs the init script once and powers off if it fails', () => {
        const init = ini(path.join(UNITS, 'cocoon-init.service'));
        expect(init.get('Service')!.get('ExecStart')).toEqual(['/usr/lib/cocoon/cocoon-init.sh']);
        expect(init.get('Service')!.get('FailureAction')).toEqual(['poweroff-force']);
        expect(init.get('Install')!.get('WantedBy')).toEqual(['multi-user.target']);
    });
});

describe('mkosi image recipe', () => {
    const image = path.join(TDX, 'image');
    const conf = ini(path.join(image, 'mkosi.conf'));

    test('Debian bookworm, disk image with a UKI, fixed seed and source date', () => {
        expect(conf.get('Distribution')!.get('Distribution')).toEqual(['debian']);
        expect(conf.get('Distribution')!.get('Release')).toEqual(['bookworm']);
        expect(conf.get('Distribution')!.get('Mirror')![0]).toMatch(/^https:\/\/snapshot\.debian\.org\/archive\/debian\/\d{8}T\d{6}Z\/$/);
        expect(conf.get('Output')!.get('Format')).toEqual(['disk']);
        expect(conf.get('Output')!.get('Seed')![0]).toMatch(/^[0-9a-f-]{36}$/);
        expect(conf.get('Content')!.get('Bootloader')).toEqual(['uki']);
        expect(conf.get('Content')!.get('SourceDateEpoch')).toEqual(['0']);
    });

    test('root is a dm-verity data partition paired with its hash partition', () => {
        const root = ini(path.join(image, 'mkosi.repart/10-root.conf')).get('Partition')!;
        const verity = ini(path.join(image, 'mkosi.repart/11-root-verity.conf')).get('Partition')!;
        expect([root.get('Type'), root.get('Verity'), root.get('VerityMatchKey')]).toEqual([['root'], ['data'], ['root']]);
        expect([verity.get('Type'), verity.get('Verity'), verity.get('VerityMatchKey')]).toEqual([['root-verity'], ['hash'], ['root']]);
    });

    test('profiles proxy, worker and debug; each role bakes its role file', () => {
        const profiles = path.join(image, 'mkosi.profiles');
        expect(fs.readdirSync(profiles).sort()).toEqual(['debug', 'proxy', 'worker']);
        for (const role of ['proxy', 'worker']) {
            expect(fs.readFileSync(path.join(profiles, role, 'mkosi.extra/usr/lib/cocoon/role'), 'utf8')).toBe(`${role}\n`);
            expect(ini(path.join(profiles, role, 'mkosi.conf')).get('Content')!.get('Hostname')).toEqual([`cocoon-${role}`]);
        }
        expect(ini(path.join(profiles, 'worker/mkosi.conf')).get('Content')!.get('Packages')).toContain('nvidia-open');
        expect(ini(path.join(profiles, 'debug/mkosi.conf')).get('Content')!.get('KernelCommandLine')).toEqual(['cocoon_debug']);
    });

    test('the trees and scripts the base recipe names exist', () => {
        for (const tree of conf.get('Content')!.get('ExtraTrees')!) {
            const src = path.resolve(image, tree.split(':')[0]);
            expect({ tree, exists: fs.existsSync(src) }).toEqual({ tree, exists: true });
        }
        for (const script of ['mkosi.build.chroot', 'mkosi.postinst.chroot']) {
            expect(fs.statSync(path.join(image, script)).mode & 0o111).toBe(0o111);
        }
    });

    test('build.sh refuses to run without its inputs', () => {
        const r = spawnSync(path.join(image, 'build.sh'), ['worker'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: 'build.sh: --firmware is required\n' });
        const help = spawnSync(path.join(image, 'build.sh'), ['--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        expect(help.status).toBe(0);
        expect(help.stdout.split('\n')[0]).toBe('Usage: tdx/image/build.sh <proxy|worker> --firmware <OVMF.fd> [--debug] [--output <dir>]');
    });
});
