import http from 'http';
import { DevnetLedger } from './ledger';
import { createDevnetServer, listen, API_BASE } from './server';
import { DevnetStateError, readState, writeState } from './state';

export interface DevnetOptions {
    /** 0 picks a free port. */
    port: number;
    host?: string;
    /** Load state from this file at start (if it exists) and save it there on `stop()` and every `autosaveMs`. */
    statePath?: string;
    /** Clock speed-up factor (1 = wall time). */
    speed?: number;
    autosaveMs?: number;
    log?: (line: string) => void;
}

/** A running devnet: the sandbox chain behind toncenter's API v2, on `host` (127.0.0.1 unless told otherwise). */
export class Devnet {
    private autosave?: NodeJS.Timeout;
    private stopped = false;

    private constructor(
        readonly ledger: DevnetLedger,
        private readonly server: http.Server,
        readonly port: number,
        readonly host: string,
        private readonly statePath: string | undefined,
    ) {}

    static async start(opts: DevnetOptions): Promise<Devnet> {
        const log = opts.log ?? (() => {});
        const host = opts.host ?? '127.0.0.1';
        const saved = opts.statePath ? readState(opts.statePath) : undefined;
        let ledger: DevnetLedger;
        try {
            ledger = await DevnetLedger.create({ speed: opts.speed ?? 1, saved, log });
        } catch (e) {
            if (!saved) throw e;
            throw new DevnetStateError(`cannot restore devnet state from ${opts.statePath}: ${(e as Error).message}`);
        }
        if (saved) log(`devnet: restored ${ledger.txs.size} transactions from ${opts.statePath}`);
        const server = createDevnetServer(ledger, log);
        let port: number;
        try {
            port = await listen(server, opts.port, host);
        } catch (e) {
            throw new Error(`cannot listen on ${host}:${opts.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        const devnet = new Devnet(ledger, server, port, host, opts.statePath);
        if (opts.statePath && (opts.autosaveMs ?? 10_000) > 0) {
            devnet.autosave = setInterval(() => {
                if (ledger.changed) devnet.save().catch((e) => log(`devnet: autosave failed: ${(e as Error).message}`));
            }, opts.autosaveMs ?? 10_000);
            devnet.autosave.unref();
        }
        return devnet;
    }

    get baseUrl(): string {
        return `http://${this.host}:${this.port}`;
    }

    /** The JSON-RPC endpoint, as `TonClient` and `blueprint run --custom` take it. */
    get endpoint(): string {
        return `${this.baseUrl}${API_BASE}/jsonRPC`;
    }

    get faucetUrl(): string {
        return `${this.baseUrl}/faucet`;
    }

    async save(): Promise<void> {
        if (!this.statePath) return;
        writeState(this.statePath, await this.ledger.save());
    }

    /** Stops serving and saves the state (when a state file is configured). */
    async stop(): Promise<void> {
        if (this.stopped) return;
        this.stopped = true;
        if (this.autosave) clearInterval(this.autosave);
        await new Promise<void>((resolve) => {
            this.server.close(() => resolve());
            this.server.closeAllConnections();
        });
        await this.save();
    }
}
