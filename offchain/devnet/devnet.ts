import http from 'http';
import { DevnetLedger } from './ledger';
import { createDevnetServer, listen, API_BASE } from './server';
import { DevnetStateError, openStateStore } from './state';
import { DevnetStore } from './store';

export interface DevnetOptions {
    /** 0 picks a free port. */
    port: number;
    host?: string;
    /** Keep the chain in this file (a devnet store, created if missing): restored at start, written as it executes. */
    statePath?: string;
    /** Clock speed-up factor (1 = wall time). */
    speed?: number;
    log?: (line: string) => void;
}

/** A running devnet: the sandbox chain behind toncenter's API v2, on `host` (127.0.0.1 unless told otherwise). */
export class Devnet {
    private stopped = false;

    private constructor(
        readonly ledger: DevnetLedger,
        private readonly server: http.Server,
        readonly port: number,
        readonly host: string,
    ) {}

    static async start(opts: DevnetOptions): Promise<Devnet> {
        const log = opts.log ?? (() => {});
        const host = opts.host ?? '127.0.0.1';
        const store = opts.statePath ? openStateStore(opts.statePath, log) : DevnetStore.open(':memory:');
        const restored = store.hasChain();
        let ledger: DevnetLedger;
        try {
            ledger = await DevnetLedger.create({ speed: opts.speed ?? 1, store, log });
        } catch (e) {
            store.close();
            if (!restored) throw e;
            throw new DevnetStateError(`cannot restore devnet state from ${opts.statePath}: ${(e as Error).message}`);
        }
        if (restored) log(`devnet: restored ${ledger.store.size} transactions from ${opts.statePath}`);
        const server = createDevnetServer(ledger, log);
        let port: number;
        try {
            port = await listen(server, opts.port, host);
        } catch (e) {
            await ledger.close();
            throw new Error(`cannot listen on ${host}:${opts.port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        return new Devnet(ledger, server, port, host);
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

    /** Stops serving and closes the store (its clock and block counter written last). */
    async stop(): Promise<void> {
        if (this.stopped) return;
        this.stopped = true;
        await new Promise<void>((resolve) => {
            this.server.close(() => resolve());
            this.server.closeAllConnections();
        });
        await this.ledger.close();
    }
}
