import { FORCED_EXIT_CODE, memoryLogger, onShutdown, shutdownHandler } from '../../offchain/runtime';

const settle = () => new Promise((r) => setImmediate(r));

describe('shutdownHandler', () => {
    it('runs stop once and exits 0', async () => {
        const stop = jest.fn(async () => {});
        const exit = jest.fn();
        const log = memoryLogger();
        shutdownHandler(stop, { exit, log })('SIGTERM');
        await settle();
        expect(stop).toHaveBeenCalledWith('SIGTERM');
        expect(exit.mock.calls).toEqual([[0]]);
        expect(log.lines.map((l) => [l.level, l.msg, l.signal])).toEqual([['info', 'shutting down', 'SIGTERM']]);
    });

    it('exits 1 with one log line when stop fails, also synchronously', async () => {
        for (const stop of [() => Promise.reject(new Error('flush failed')), () => { throw new Error('flush failed'); }]) {
            const exit = jest.fn();
            const log = memoryLogger();
            shutdownHandler(stop, { exit, log })('SIGINT');
            await settle();
            expect(exit.mock.calls).toEqual([[1]]);
            expect(log.lines.filter((l) => l.level === 'error')).toEqual([
                expect.objectContaining({ msg: 'shutdown failed', signal: 'SIGINT', error: 'flush failed' }),
            ]);
        }
    });

    it('forces exit 130 on a second signal while stopping', async () => {
        let finish!: () => void;
        const stop = jest.fn(() => new Promise<void>((r) => (finish = r)));
        const exit = jest.fn();
        const handler = shutdownHandler(stop, { exit });
        handler('SIGINT');
        handler('SIGINT');
        expect(exit.mock.calls).toEqual([[FORCED_EXIT_CODE]]);
        await settle();
        expect(stop).toHaveBeenCalledTimes(1);
        finish();
        await settle();
        expect(exit.mock.calls).toEqual([[FORCED_EXIT_CODE], [0]]);
    });
});

describe('onShutdown', () => {
    // SIGUSR2 rather than SIGINT/SIGTERM: emitting an event on process calls only listeners, but jest may have its own.
    it('listens on the given signals until unsubscribed', async () => {
        const before = process.listenerCount('SIGUSR2');
        const stop = jest.fn(async () => {});
        const exit = jest.fn();
        const unsubscribe = onShutdown(stop, { signals: ['SIGUSR2'], exit });
        expect(process.listenerCount('SIGUSR2')).toBe(before + 1);
        process.emit('SIGUSR2', 'SIGUSR2');
        await settle();
        expect(stop).toHaveBeenCalledWith('SIGUSR2');
        expect(exit.mock.calls).toEqual([[0]]);
        unsubscribe();
        expect(process.listenerCount('SIGUSR2')).toBe(before);
    });

    it('listens on SIGINT and SIGTERM by default', () => {
        const counts = () => [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
        const before = counts();
        const unsubscribe = onShutdown(async () => {}, { exit: jest.fn() });
        expect(counts()).toEqual([before[0] + 1, before[1] + 1]);
        unsubscribe();
        expect(counts()).toEqual(before);
    });
});
