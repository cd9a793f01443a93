import { Logger, silentLogger } from './logger';

export interface ShutdownOptions {
    /** Default: SIGINT and SIGTERM. */
    signals?: NodeJS.Signals[];
    log?: Logger;
    /** Default: process.exit. */
    exit?: (code: number) => void;
}

/** Exit code after a second signal: the conventional 128 + SIGINT. */
export const FORCED_EXIT_CODE = 130;

/**
 * The signal handler `onShutdown` installs, exposed for tests. The first signal runs `stop` once and exits 0, or 1
 * with a one-line log if it fails; a signal while stopping exits at once, for an operator whose stop hangs.
 */
export function shutdownHandler(
    stop: (signal: string) => Promise<void>,
    opts: Pick<ShutdownOptions, 'log' | 'exit'> = {},
): (signal: string) => void {
    const log = opts.log ?? silentLogger();
    const exit = opts.exit ?? ((code: number) => process.exit(code));
    let stopping = false;
    return (signal) => {
        if (stopping) {
            log.warn('second signal, exiting without finishing shutdown', { signal });
            exit(FORCED_EXIT_CODE);
            return;
        }
        stopping = true;
        log.info('shutting down', { signal });
        // A stop that throws synchronously counts as failed, like one that rejects.
        Promise.resolve()
            .then(() => stop(signal))
            .then(
                () => exit(0),
                (e: unknown) => {
                    log.error('shutdown failed', { signal, error: e instanceof Error ? e.message : String(e) });
                    exit(1);
                },
            );
    };
}

/** Runs `stop` on SIGINT/SIGTERM (see shutdownHandler). Returns a function that removes the listeners. */
export function onShutdown(stop: (signal: string) => Promise<void>, opts: ShutdownOptions = {}): () => void {
    const signals = opts.signals ?? ['SIGINT', 'SIGTERM'];
    const handler = shutdownHandler(stop, opts);
    for (const s of signals) process.on(s, handler);
    return () => {
        for (const s of signals) process.off(s, handler);
    };
}
