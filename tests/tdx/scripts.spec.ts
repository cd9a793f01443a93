import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir, writeSample } from './gitReference';

const ROOT = path.join(__dirname, '../..');
const TDX = path.join(ROOT, 'tdx');

function shellScripts(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return shellScripts(p);
        return fs.readFileSync(p, 'utf8').startsWith('#!/usr/bin/env bash\n') ? [p] : [];
    });
}

const made: string[] = [];
function scratch(prefix: string): string {
    const d = tempDir(prefix);
    made.push(d);
    return d;
}
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('shell scripts', () => {
    const scripts = shellScripts(TDX).map((p) => path.relative(ROOT, p)).sort();

    test('the expected scripts exist', () => {
        expect(scripts).toEqual([
            'tdx/host/launch.sh',
            'tdx/image/build.sh',
            'tdx/image/mkosi.build.chroot',
            'tdx/image/mkosi.postinst.chroot',
            'tdx/init/cocoon-init.sh',
            'tdx/init/open-model.sh',
        ]);
    });

    test.each(scripts)('%s: bash -n, set -euo pipefail, executable', (script) => {
        const r = spawnSync('bash', ['-n', script], { cwd: ROOT, encoding: 'utf8' });
        expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
        expect(fs.readFileSync(path.join(ROOT, script), 'utf8').split('\n')).toContain('set -euo pipefail');
        expect(fs.statSync(path.join(ROOT, script)).mode & 0o111).toBe(0o111);
    });

    test('bash -n catches a syntax error (the check above can fail)', () => {
        const bad = path.join(scratch('bad-sh'), 'bad.sh');
        fs.writeFileSync(bad, '#!/usr/bin/env bash\nif true; then\n');
        expect(spawnSync('bash', ['-n', bad]).status).toBe(2);
    });
});

describe('tdx/host/launch.sh', () => {
    const launch = (...args: string[]) => {
        const r = spawnSync(path.join(TDX, 'host/launch.sh'), args, { encoding: 'utf8' });
        return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    let image: string;
    let config: string;
    let model: string;
    beforeAll(() => {
        const d = scratch('launch');
        image = path.join(d, 'image');
        config = path.join(d, 'config');
        model = path.join(d, 'model');
        writeSample(d, {
            'image/OVMF.fd': '', 'image/cocoon.efi': '', 'image/cocoon.raw': '', 'config/worker.json': '{}',
            'model/model.img': '', 'model/model.verity': '',
        });
    });

    test('--help', () => {
        const r = launch('--help');
        expect(r.status).toBe(0);
        expect(r.stdout.split('\n')[0]).toBe('Usage: tdx/host/launch.sh --role <proxy|worker> --image-dir <dir> --config <dir> [options]');
    });

    test('--dry-run prints the TDX QEMU command for a worker with a GPU and a model disk', () => {
        const r = launch('--role', 'worker', '--image-dir', image, '--config', config, '--gpu', '0000:17:00.0', '--model', model,
            '--cpus', '32', '--memory', '100G', '--forward', '12000:12000', '--forward', '0.0.0.0:11001:11001', '--dry-run');
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        expect(r.stdout).toBe([
            'qemu-system-x86_64 -name cocoon-worker,process=cocoon-worker -accel kvm',
            '-machine q35,kernel-irqchip=split,confidential-guest-support=tdx0,hpet=off',
            `-object '{"qom-type":"tdx-guest","id":"tdx0","quote-generation-socket":{"type":"vsock","cid":"2","port":"4050"}}'`,
            `-cpu host -smp 32 -m 100G -bios ${image}/OVMF.fd -kernel ${image}/cocoon.efi -nographic -nodefaults -serial stdio`,
            `-drive file=${image}/cocoon.raw,if=none,id=root,format=raw,readonly=on -device virtio-blk-pci,drive=root,serial=root`,
            `-fsdev local,id=spec,path=${config},security_model=none,readonly=on -device virtio-9p-pci,fsdev=spec,mount_tag=spec`,
            '-device vhost-vsock-pci,guest-cid=6',
            '-netdev user,id=net0,hostfwd=tcp:127.0.0.1:12000-:12000,hostfwd=tcp:0.0.0.0:11001-:11001 -device virtio-net-pci,netdev=net0',
            '-object iommufd,id=iommufd0 -device pcie-root-port,id=gpu-port,bus=pcie.0,chassis=1',
            '-device vfio-pci,host=0000:17:00.0,bus=gpu-port,iommufd=iommufd0 -fw_cfg name=opt/ovmf/X-PciMmio64Mb,string=262144',
            `-drive file=${model}/model.img,if=none,id=model,format=raw,readonly=on -device virtio-blk-pci,drive=model,serial=model`,
            `-drive file=${model}/model.verity,if=none,id=model-verity,format=raw,readonly=on -device virtio-blk-pci,drive=model-verity,serial=model-verity`,
        ].join(' ') + '\n');
    });

    test('a proxy gets CID 7, no GPU, no forwards by default', () => {
        const r = launch('--role', 'proxy', '--image-dir', image, '--config', config, '--dry-run');
        expect(r.status).toBe(0);
        expect(r.stdout).toContain(' -device vhost-vsock-pci,guest-cid=7 -netdev user,id=net0 -device virtio-net-pci,netdev=net0\n');
        expect(r.stdout).not.toContain('vfio-pci');
    });

    test.each([
        [[], '--role is required (proxy or worker)'],
        [['--role', 'client'], "--role must be proxy or worker, not 'client'"],
        [['--role', 'proxy', '--bogus'], "unknown argument '--bogus' (try --help)"],
        [['--role', 'proxy', '--image-dir'], '--image-dir needs a value'],
        [['--role', 'proxy', '--image-dir', '/nonexistent'], '/nonexistent/OVMF.fd is missing (build the image with tdx/image/build.sh)'],
        [['--role', 'proxy', '--image-dir', 'IMAGE'], '--config is required'],
        [['--role', 'proxy', '--image-dir', 'IMAGE', '--config', '/nonexistent'], 'config folder /nonexistent does not exist'],
        [['--role', 'proxy', '--image-dir', 'IMAGE', '--config', 'CONFIG', '--cpus', '0'], "--cpus must be a positive integer, not '0'"],
        [['--role', 'proxy', '--image-dir', 'IMAGE', '--config', 'CONFIG', '--memory', '64GB'], "--memory must look like 64G or 16384M, not '64GB'"],
        [['--role', 'proxy', '--image-dir', 'IMAGE', '--config', 'CONFIG', '--cid', '2'], "--cid must be an integer >= 3, not '2'"],
        [['--role', 'proxy', '--image-dir', 'IMAGE', '--config', 'CONFIG', '--gpu', '0000:17:00.0'], '--gpu is for workers only'],
        [['--role', 'worker', '--image-dir', 'IMAGE', '--config', 'CONFIG'], 'a worker needs --gpu <BDF>'],
        [['--role', 'worker', '--image-dir', 'IMAGE', '--config', 'CONFIG', '--gpu', '17:00.0'], "--gpu must be a PCI address like 0000:17:00.0, not '17:00.0'"],
        [['--role', 'worker', '--image-dir', 'IMAGE', '--config', 'CONFIG', '--gpu', '0000:17:00.0', '--model', 'CONFIG'], 'CONFIG/model.img is missing'],
        [['--role', 'proxy', '--image-dir', 'IMAGE', '--config', 'CONFIG', '--forward', '8443'], "--forward must be [addr:]host:guest, not '8443'"],
        [['--role', 'proxy', '--image-dir', 'IMAGE', '--config', 'CONFIG', '--forward', '1:70000'], 'port 70000 in --forward 1:70000 is out of range 1..65535'],
    ])('bad arguments %j: exit 2', (args, message) => {
        const fill = (s: string) => s.replace('IMAGE', image).replace('CONFIG', config);
        expect(launch(...args.map(fill), '--dry-run')).toEqual({ status: 2, stdout: '', stderr: `launch.sh: ${fill(message)}\n` });
    });

    test('a comma in a path is refused (QEMU would split the option)', () => {
        const odd = path.join(scratch('launch-comma'), 'a,b');
        fs.mkdirSync(odd);
        expect(launch('--role', 'proxy', '--image-dir', image, '--config', odd, '--dry-run')).toEqual({
            status: 2, stdout: '', stderr: `launch.sh: path '${odd}' contains a comma, which QEMU options cannot carry\n`,
        });
    });
});
