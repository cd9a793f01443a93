// The parent's side of the topology bench's child processes: fork one, send it a request, wait for its answer.
import { spawn, type ChildProcess } from 'child_process';
import path from 'path';
import type { FromHost, ToHost } from './topologyHost';

const HOST_SCRIPT = path.join(__dirname, 'topologyHost.ts');
const PROJECT = path.join(__dirname, '..', '..', '..', 'tsconfig.json');
/** The child's last stderr lines, to explain a crash. */
const KEPT_STDERR = 20;
/** How long a host may take to exit once its services stopped. */
const EXIT_WAIT_MS = 5000;

/** One child process hosting a group of services; one request at a time. */
export class Host {
    private readonly stderr: string[] = [];
    private exit: string | null = null;
    private pending: { resolve: (m: FromHost) => void; reject: (e: Error) => void } | null = null;

    private constructor(
        readonly name: string,
        private readonly child: ChildProcess,
    ) {
        child.stderr!.on('data', (d: Buffer) => {
            this.stderr.push(...d.toString().split('\n').filter((l) => l.length > 0));
            this.stderr.splice(0, Math.max(0, this.stderr.length - KEPT_STDERR));
        });
        child.on('message', (m: FromHost) => {
            const p = this.pending;
            this.pending = null;
            if (!p) return;
            if (m.op === 'failed') p.reject(new Error(`${name}: ${m.message}${this.explain(m.errorLines)}`));
            else p.resolve(m);
        });
        child.on('exit', (code, signal) => {
            this.exit = `exited (${code ?? signal})`;
            this.pending?.reject(new Error(`${name}: ${this.exit}${this.explain([])}`));
            this.pending = null;
        });
    }

    /**
     * Starts a Node process that loads the host script through ts-node with swc (no type checking: a start of seconds
     * rather than most of a minute) and serves on the IPC channel; `heapMb` raises V8's heap limit.
     */
    static fork(name: string, heapMb: number): Host {
        const boot = `require('ts-node').register({ swc: true, project: ${JSON.stringify(PROJECT)} }); require(${JSON.stringify(HOST_SCRIPT)}).serve();`;
        const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, '-e', boot], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
        return new Host(name, child);
    }

    /** Sends one request and resolves with the answer of the expected kind. */
    request<K extends FromHost['op']>(m: ToHost, expect: K): Promise<Extract<FromHost, { op: K }>> {
        if (this.exit) return Promise.reject(new Error(`${this.name}: ${this.exit}${this.explain([])}`));
        if (this.pending) return Promise.reject(new Error(`${this.name}: a request is already pending`));
        return new Promise<FromHost>((resolve, reject) => {
            this.pending = { resolve, reject };
            this.child.send(m);
        }).then((reply) => {
            if (reply.op !== expect) throw new Error(`${this.name}: answered ${reply.op} to ${m.op}`);
            return reply as Extract<FromHost, { op: K }>;
        });
    }

    /** Asks the services to stop and the process to end; kills it if it is still there after EXIT_WAIT_MS. */
    async stop(): Promise<void> {
        if (this.exit) return;
        const gone = new Promise((resolve) => this.child.once('exit', resolve));
        await this.request({ op: 'stop' }, 'stopped').catch(() => null);
        const timer = setTimeout(() => this.child.kill('SIGKILL'), EXIT_WAIT_MS);
        await gone;
        clearTimeout(timer);
    }

    private explain(errorLines: string[]): string {
        const lines = [...errorLines, ...this.stderr];
        return lines.length ? `\n${lines.join('\n')}` : '';
    }
}
