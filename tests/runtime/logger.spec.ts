import { Address } from '@ton/core';
import { createLogger, isSecretKey, LogLine, memoryLogger, REDACTED, silentLogger } from '../../offchain/runtime';

function capture(level?: 'debug' | 'info' | 'warn' | 'error') {
    const raw: string[] = [];
    const log = createLogger({ component: 'proxy', level, sink: (l) => raw.push(l), fields: { instance: 'p1' } });
    return { log, raw, lines: () => raw.map((l) => JSON.parse(l) as LogLine) };
}

describe('createLogger', () => {
    it('writes one JSON object per line with the fixed keys first', () => {
        const { log, raw, lines } = capture();
        log.info('started', { port: 8080 });
        expect(raw).toHaveLength(1);
        expect(Object.keys(lines()[0])).toEqual(['t', 'level', 'component', 'msg', 'instance', 'port']);
        expect(lines()[0]).toEqual({
            t: expect.any(String),
            level: 'info',
            component: 'proxy',
            msg: 'started',
            instance: 'p1',
            port: 8080,
        });
        expect(new Date(lines()[0].t).toISOString()).toBe(lines()[0].t);
    });

    it('drops lines below its level', () => {
        const { log, lines } = capture('warn');
        log.debug('a');
        log.info('b');
        log.warn('c');
        log.error('d');
        expect(lines().map((l) => [l.level, l.msg])).toEqual([
            ['warn', 'c'],
            ['error', 'd'],
        ]);
    });

    it('defaults to info', () => {
        const { log, lines } = capture();
        log.debug('hidden');
        log.info('shown');
        expect(lines().map((l) => l.msg)).toEqual(['shown']);
    });

    it('refuses an unknown level', () => {
        expect(() => createLogger({ component: 'x', level: 'verbose' as 'info' })).toThrow("unknown log level 'verbose'");
    });

    it('adds child fields to every line; call fields win', () => {
        const { log, lines } = capture();
        const child = log.child({ requestId: 'r1' }).child({ worker: 'w' });
        child.info('forwarded', { worker: 'w2' });
        log.info('parent');
        expect(lines()[0]).toMatchObject({ component: 'proxy', instance: 'p1', requestId: 'r1', worker: 'w2' });
        expect(lines()[1]).not.toHaveProperty('requestId');
    });

    it('does not let fields overwrite the fixed keys', () => {
        const { log, lines } = capture();
        log.info('real', { msg: 'forged', level: 'error', component: 'x', t: 'then' });
        expect(lines()[0]).toMatchObject({ msg: 'real', level: 'info', component: 'proxy' });
        expect(lines()[0].t).not.toBe('then');
    });

    it('writes bigints, byte arrays, errors and class instances readably', () => {
        const { log, lines } = capture();
        const err = Object.assign(new Error('boom'), { code: 'ECONNRESET' });
        const addr = Address.parse('EQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAM9c');
        log.info('x', { amount: 10n ** 20n, list: [1n], hash: Buffer.from([0xab, 0x01]), err, addr, at: new Date(0) });
        expect(lines()[0]).toMatchObject({
            amount: '100000000000000000000',
            list: ['1'],
            hash: 'ab01',
            err: { name: 'Error', message: 'boom', code: 'ECONNRESET' },
            addr: addr.toString(),
            at: '1970-01-01T00:00:00.000Z',
        });
    });

    it('survives circular fields', () => {
        const { log, lines } = capture();
        const a: Record<string, unknown> = { n: 1 };
        a.self = a;
        const shared = { k: 1 };
        log.info('x', { a, pair: [shared, shared] });
        expect(lines()[0]).toMatchObject({ a: { n: 1, self: '[circular]' }, pair: [{ k: 1 }, { k: 1 }] });
    });
});

describe('redaction', () => {
    it.each([
        'secret',
        'secretKey',
        'walletSecret',
        'password',
        'DB_PASSWORD',
        'mnemonic',
        'privateKey',
        'token',
        'Token',
        'accessToken',
        'adminToken',
        'bearerToken',
        'ADMIN_TOKEN',
        'refresh_token',
        'x-auth-token',
        'authorization',
        'Authorization',
        'apiKey',
        'api_key',
        'x-api-key',
    ])('redacts %s', (key) => expect(isSecretKey(key)).toBe(true));

    it.each([
        'tokens',
        'promptTokens',
        'completionTokens',
        'tokensUsed',
        'maxTokens',
        'max_tokens',
        'tokenCount',
        'pricePerToken',
        'price_per_token',
        'requestId',
        'keyId',
        'publicKey',
    ])('keeps %s', (key) => expect(isSecretKey(key)).toBe(false));

    it('redacts whole values, recursively, in arrays, and in logger fields', () => {
        const raw: string[] = [];
        const log = createLogger({ component: 'c', sink: (l) => raw.push(l), fields: { adminToken: 'a' } });
        log.info('x', {
            wallet: { secretKey: 'sk', address: 'EQ..', keys: { mnemonic: ['w1', 'w2'] } },
            workers: [{ apiKey: 'k', promptTokens: 10 }],
            usage: { tokens: 5n, promptTokens: 3, completionTokens: 2 },
            privateKey: Buffer.from('00', 'hex'),
        });
        expect(JSON.parse(raw[0])).toMatchObject({
            adminToken: REDACTED,
            wallet: { secretKey: REDACTED, address: 'EQ..', keys: { mnemonic: REDACTED } },
            workers: [{ apiKey: REDACTED, promptTokens: 10 }],
            usage: { tokens: '5', promptTokens: 3, completionTokens: 2 },
            privateKey: REDACTED,
        });
        expect(raw[0]).not.toMatch(/sk"|w1|"k"/);
    });
});

describe('test loggers', () => {
    it('memoryLogger keeps parsed lines of all levels, from children too', () => {
        const log = memoryLogger();
        log.debug('d', { n: 1n });
        log.child({ requestId: 'r' }).error('e');
        expect(log.lines).toEqual([
            { t: expect.any(String), level: 'debug', component: 'test', msg: 'd', n: '1' },
            { t: expect.any(String), level: 'error', component: 'test', msg: 'e', requestId: 'r' },
        ]);
    });

    it('silentLogger writes nothing', () => {
        const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
        try {
            const log = silentLogger();
            log.error('x');
            log.child({ a: 1 }).info('y');
            expect(write).not.toHaveBeenCalled();
        } finally {
            write.mockRestore();
        }
    });

    it('writes to stderr by default, one line each', () => {
        const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
        try {
            createLogger({ component: 'cli' }).warn('careful');
            expect(write).toHaveBeenCalledTimes(1);
            const text = write.mock.calls[0][0] as string;
            expect(text.endsWith('}\n')).toBe(true);
            expect(JSON.parse(text)).toMatchObject({ level: 'warn', component: 'cli', msg: 'careful' });
        } finally {
            write.mockRestore();
        }
    });
});
