import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { expectedRtmr3, replayRtmr, sha384 } from '../../tdx/src/rtmr';
import { gitSpecTreeHash, tempDir, writeSample } from './gitReference';

/**
 * Runs tdx/init/cocoon-init.sh outside a TD: the RTMR3 node is file descriptor 3 of the script (a pipe the test
 * reads), `systemctl` and `cocoon attest gen-cert` are stand-ins that record their arguments, and the spec hash is
 * computed by the real `cocoon attest spec-hash`.
 */

const ROOT = path.join(__dirname, '../..');
const INIT = path.join(ROOT, 'tdx/init/cocoon-init.sh');

interface Sandbox {
    dir: string;
    src: string;
    state: string;
    calls: string;
    log: string;
    env: NodeJS.ProcessEnv;
}

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function sandbox(role: string, cmdline: string): Sandbox {
    const dir = tempDir('init');
    made.push(dir);
    const src = path.join(dir, 'mnt-spec');
    writeSample(src, {
        'worker.json': '{"model": "Qwen/Qwen3-0.6B"}\n',
        'engine.env': 'MODEL_DIR=/models/qwen\n',
        'model.verity_hash': `${'ab'.repeat(32)}\n`,
        'runtime/runtime.vars': 'OWNER_ADDRESS=EQ\n',
    });
    fs.writeFileSync(path.join(dir, 'role'), `${role}\n`);
    fs.writeFileSync(path.join(dir, 'cmdline'), cmdline);
    const calls = path.join(dir, 'calls');
    fs.writeFileSync(
        path.join(dir, 'cocoon.js'),
        [
            "const fs = require('fs');",
            'const args = process.argv.slice(2);',
            "if (args[1] === 'gen-cert') {",
            `    fs.appendFileSync(${JSON.stringify(calls)}, 'cocoon ' + args.join(' ') + '\\n');`,
            "    fs.writeFileSync(args[args.indexOf('--out') + 1] + '_cert.pem', 'cert');",
            '} else {',
            `    process.argv = [process.argv[0], ${JSON.stringify(path.join(ROOT, 'bin/cocoon.js'))}, ...args];`,
            `    require(${JSON.stringify(path.join(ROOT, 'bin/cocoon.js'))});`,
            '}',
        ].join('\n'),
    );
    fs.writeFileSync(path.join(dir, 'systemctl'), `#!/bin/sh\necho "systemctl $*" >> '${calls}'\n`, { mode: 0o755 });
    const state = path.join(dir, 'run-cocoon');
    const log = path.join(dir, 'log/tdx-attestation.log');
    return {
        dir, src, state, calls, log,
        env: {
            PATH: process.env.PATH,
            COCOON_SPEC_SOURCE: src,
            COCOON_SPEC_DIR: path.join(state, 'spec'),
            COCOON_RTMR3_NODE: '/dev/fd/3',
            COCOON_MEASURE_LOG: log,
            COCOON_KERNEL_CMDLINE: path.join(dir, 'cmdline'),
            COCOON_ROLE_FILE: path.join(dir, 'role'),
            COCOON_STATE_DIR: state,
            COCOON_BIN: path.join(dir, 'cocoon.js'),
            COCOON_SYSTEMCTL: path.join(dir, 'systemctl'),
            COCOON_SERVICE_USER: 'cocoon-test-no-such-user',
        },
    };
}

/** fd 3 is a FIFO drained into a file (Node's extra stdio are sockets, which /dev/fd/3 cannot reopen). */
const WRAPPER = 'mkfifo "$2"; cat "$2" >"$3" & exec 3>"$2"; "$1"; rc=$?; exec 3>&-; wait; exit $rc';

function runInit(env: NodeJS.ProcessEnv) {
    const dir = tempDir('rtmr3');
    made.push(dir);
    const [fifo, out] = [path.join(dir, 'fifo'), path.join(dir, 'extended')];
    const r = spawnSync('bash', ['-c', WRAPPER, 'wrapper', INIT, fifo, out], {
        env,
        encoding: 'utf8',
        // stdin must not be a socket: bash would then source ~/.bashrc as if started by sshd.
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, extended: fs.readFileSync(out) };
}

function digests(bytes: Buffer): Buffer[] {
    return Array.from({ length: bytes.length / 48 }, (_, i) => bytes.subarray(i * 48, (i + 1) * 48));
}

describe('tdx/init/cocoon-init.sh', () => {
    test('production boot: RTMR3 ends as computed before launch; certificate, vars, role target', () => {
        const sb = sandbox('worker', 'console=ttyS0 ro roothash=00\n');
        const hash = gitSpecTreeHash(sb.src);
        const r = runInit(sb.env);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        expect(r.stdout).toBe(`cocoon-init: role worker, spec tree ${hash}, debug 0: RTMR3 measured, certificate written, cocoon-worker.target started\n`);
        const written = digests(r.extended);
        expect(written).toEqual([sha384(`cocoon:spec.tree=${hash}`), sha384('cocoon:tdx_inited')]);
        expect(replayRtmr(written)).toEqual(expectedRtmr3(hash, false));
        expect(fs.readFileSync(sb.log, 'utf8')).toBe(
            `rtmr3 ${written[0].toString('hex')} cocoon:spec.tree=${hash}\nrtmr3 ${written[1].toString('hex')} cocoon:tdx_inited\n`,
        );
        expect(fs.readFileSync(sb.calls, 'utf8')).toBe(
            `cocoon attest gen-cert --provider tdx --out ${sb.state}/tls/node\nsystemctl start --no-block cocoon-worker.target\n`,
        );
        expect(fs.readFileSync(path.join(sb.state, 'system.vars'), 'utf8')).toBe(
            `COCOON_ROLE=worker\nSPEC_TREE_HASH=${hash}\nIS_DEBUG=0\nSPEC_DIR=${sb.state}/spec\nCERT_BASE=${sb.state}/tls/node\n`,
        );
        // The services run from the measured private copy (plus the unmeasured runtime/ folder).
        expect(fs.readdirSync(path.join(sb.state, 'spec')).sort()).toEqual(['engine.env', 'model.verity_hash', 'runtime', 'worker.json']);

        const again = runInit(sb.env);
        expect(again).toEqual({
            status: 1, stdout: '', extended: Buffer.alloc(0),
            stderr: `cocoon-init: already initialised (${sb.state}/inited exists); reboot to re-measure\n`,
        });
    });

    test('debug boot adds cocoon:cocoon_debug between the spec tree and tdx_inited', () => {
        const sb = sandbox('proxy', 'console=ttyS0 cocoon_debug roothash=00');
        const hash = gitSpecTreeHash(sb.src);
        const r = runInit(sb.env);
        expect(r.status).toBe(0);
        const written = digests(r.extended);
        expect(written).toEqual([sha384(`cocoon:spec.tree=${hash}`), sha384('cocoon:cocoon_debug'), sha384('cocoon:tdx_inited')]);
        expect(replayRtmr(written)).toEqual(expectedRtmr3(hash, true));
        expect(fs.readFileSync(sb.calls, 'utf8').split('\n')[1]).toBe('systemctl start --no-block cocoon-proxy.target');
    });

    test('refusals measure nothing', () => {
        const badRole = sandbox('client', '');
        expect(runInit(badRole.env)).toEqual({
            status: 1, stdout: '', extended: Buffer.alloc(0),
            stderr: `cocoon-init: unknown role 'client' in ${badRole.dir}/role (expected proxy or worker)\n`,
        });
        const noNode = sandbox('worker', '');
        expect(runInit({ ...noNode.env, COCOON_RTMR3_NODE: '/nonexistent/rtmr3:sha384' }).stderr).toBe(
            'cocoon-init: /nonexistent/rtmr3:sha384 is not writable: not a TDX guest, or the kernel lacks RTMR extension (needs Linux >= 6.16)\n',
        );
        const noSpec = sandbox('worker', '');
        fs.rmSync(noSpec.src, { recursive: true });
        expect(runInit(noSpec.env).stderr).toBe(`cocoon-init: config folder ${noSpec.src} is missing (is the 'spec' 9p share attached?)\n`);
    });
});
