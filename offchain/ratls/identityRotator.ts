import type { RatlsIdentity } from './identity';

export interface IdentityRotatorOptions {
    generate: () => Promise<RatlsIdentity>;
    /** Regenerate this often (default one hour, as COCOON's cert-refresh timer). */
    rotateEveryMs?: number;
    /** Never let the current certificate get closer than this to expiry (default 10 minutes). */
    expiryMarginMs?: number;
    /** Wait before retrying a failed generation (default one minute). */
    retryMs?: number;
    log?: (line: string) => void;
}

type Listener = (identity: RatlsIdentity) => void;

/**
 * Keeps a fresh identity: regenerates on a timer well before expiry and tells listeners, so a server can switch
 * new handshakes to the new certificate while open connections keep theirs.
 */
export class IdentityRotator {
    private identity: RatlsIdentity;
    private readonly listeners = new Set<Listener>();
    private timer?: NodeJS.Timeout;
    private stopped = false;

    private constructor(
        private readonly options: IdentityRotatorOptions,
        first: RatlsIdentity,
    ) {
        this.identity = first;
    }

    static async start(options: IdentityRotatorOptions): Promise<IdentityRotator> {
        const rotator = new IdentityRotator(options, await options.generate());
        rotator.schedule();
        return rotator;
    }

    get current(): RatlsIdentity {
        return this.identity;
    }

    /** Calls `listener` with every new identity; returns the unsubscribe function. */
    onRotate(listener: Listener): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    async rotateNow(): Promise<RatlsIdentity> {
        const next = await this.options.generate();
        this.identity = next;
        for (const listener of this.listeners) listener(next);
        this.schedule();
        return next;
    }

    stop(): void {
        this.stopped = true;
        clearTimeout(this.timer);
    }

    private schedule(delayMs?: number): void {
        clearTimeout(this.timer);
        if (this.stopped) return;
        const every = this.options.rotateEveryMs ?? 3_600_000;
        const margin = this.options.expiryMarginMs ?? 600_000;
        const untilMargin = this.identity.notAfter.getTime() - margin - Date.now();
        const delay = delayMs ?? Math.max(0, Math.min(every, untilMargin));
        this.timer = setTimeout(() => {
            this.rotateNow().catch((e: Error) => {
                (this.options.log ?? console.warn)(`RA-TLS: certificate rotation failed, retrying: ${e.message}`);
                this.schedule(this.options.retryMs ?? 60_000);
            });
        }, delay);
        this.timer.unref();
    }
}
