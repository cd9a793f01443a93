import { mkdtempSync, mkdirSync, rmSync, truncateSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { ConfigError, ConfigSchema, loadConfig, resolvePath, validateConfig } from '../../offchain/runtime';

interface ProxyConfig {
    port: number;
    host: string;
    chain: { endpoints: string[] };
    wallet: { secretKey: string };
    mode?: string;
}

const schema: ConfigSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['port', 'chain', 'wallet'],
    properties: {
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        host: { type: 'string', default: '127.0.0.1' },
        chain: {
            type: 'object',
            additionalProperties: false,
            required: ['endpoints'],
            properties: { endpoints: { type: 'array', minItems: 1, items: { type: 'string' } } },
        },
        wallet: {
            type: 'object',
            additionalProperties: false,
            required: ['secretKey'],
            properties: { secretKey: { type: 'string', minLength: 1 } },
        },
        mode: { enum: ['fast', 'safe'] },
    },
};

const secrets = { '/wallet/secretKey': 'COCOON_PROXY_SECRET' };

const good = { port: 8080, chain: { endpoints: ['http://127.0.0.1:8081/jsonRPC'] }, wallet: { secretKey: 'abc' } };

let dir: string;
beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'runtime-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
    writeFileSync(path.join(dir, name), text);
    return name;
}

function loadError(file: string, env: NodeJS.ProcessEnv = {}): string {
    try {
        loadConfig(file, schema, { baseDir: dir, secrets, env });
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
    }
    throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
    it('reads a good file and applies defaults', () => {
        const file = write('proxy.json', JSON.stringify(good, null, 4));
        expect(loadConfig<ProxyConfig>(file, schema, { baseDir: dir, env: {} })).toEqual({ ...good, host: '127.0.0.1' });
    });

    it('reads an absolute path regardless of baseDir, and a file with a byte-order mark', () => {
        const file = path.join(dir, write('proxy.json', '\uFEFF' + JSON.stringify(good)));
        expect(loadConfig<ProxyConfig>(file, schema, { baseDir: '/nonexistent', env: {} }).port).toBe(8080);
    });

    it('names a missing file', () => {
        expect(loadError('proxy.json')).toBe('config proxy.json: file not found');
    });

    it('names a path that is not a regular file, and refuses an oversized file by its size', () => {
        mkdirSync(path.join(dir, 'proxy.json'));
        expect(loadError('proxy.json')).toBe('config proxy.json: not a regular file');
        expect(() => loadConfig('/dev/zero', schema)).toThrow(new ConfigError('/dev/zero', 'not a regular file'));
        const big = path.join(dir, 'big.json');
        writeFileSync(big, '');
        truncateSync(big, 2 * 1024 * 1024);
        expect(() => loadConfig(big, schema)).toThrow(new ConfigError(big, 'over the 1 MiB limit'));
    });

    it('gives the line and column of invalid JSON, without quoting the text', () => {
        write('a.json', '{\n    "port": 8080,\n}\n');
        expect(loadError('a.json')).toBe('config a.json: invalid JSON at line 3, column 1: expected a property name in double quotes');
        write('b.json', '{\n  "wallet": { "secretKey": "hunter2" x }\n}');
        expect(loadError('b.json')).toBe("config b.json: invalid JSON at line 2, column 38: expected ',' or '}'");
        write('c.json', '{"port": 80');
        expect(loadError('c.json')).toBe('config c.json: invalid JSON at line 1, column 12: unexpected end of input');
        write('d.json', '');
        expect(loadError('d.json')).toBe('config d.json: invalid JSON at line 1, column 1: unexpected end of input');
        write('e.json', '[1, 2,]');
        expect(loadError('e.json')).toBe('config e.json: invalid JSON at line 1, column 7: unexpected character "]"');
        write('f.json', '{} {}');
        expect(loadError('f.json')).toBe('config f.json: invalid JSON at line 1, column 4: unexpected text after the JSON value');
        write('g.json', '{"a": -}');
        expect(loadError('g.json')).toBe('config g.json: invalid JSON at line 1, column 7: invalid number');
        write('h.json', '{"a": "\\q"}');
        expect(loadError('h.json')).toBe('config h.json: invalid JSON at line 1, column 9: invalid escape in a string');
        write('i.json', '{"a": tru}');
        expect(loadError('i.json')).toBe('config i.json: invalid JSON at line 1, column 7: unexpected character "t"');
    });

    it('names a field of the wrong type', () => {
        const file = write('proxy.json', JSON.stringify({ ...good, chain: { endpoints: [1] } }));
        expect(loadError(file)).toBe('config proxy.json: /chain/endpoints/0 must be a string');
        write('b.json', JSON.stringify({ ...good, port: 'x' }));
        expect(loadError('b.json')).toBe('config b.json: /port must be an integer');
        write('c.json', '[]');
        expect(loadError('c.json')).toBe('config c.json: top level must be an object');
    });

    it('names an unknown field', () => {
        write('proxy.json', JSON.stringify({ ...good, foo: 1 }));
        expect(loadError('proxy.json')).toBe('config proxy.json: unknown field /foo');
        write('b.json', JSON.stringify({ ...good, chain: { ...good.chain, 'a/b': 1 } }));
        expect(loadError('b.json')).toBe('config b.json: unknown field /chain/a~1b');
    });

    it('names a missing required field, with the environment variable for a secret', () => {
        write('proxy.json', JSON.stringify({ ...good, wallet: {} }));
        expect(loadError('proxy.json')).toBe('config proxy.json: missing required field /wallet/secretKey (or set COCOON_PROXY_SECRET)');
        write('b.json', JSON.stringify({ ...good, chain: undefined }));
        expect(loadError('b.json')).toBe('config b.json: missing required field /chain');
    });

    it('words enum and range errors', () => {
        write('a.json', JSON.stringify({ ...good, mode: 'slow' }));
        expect(loadError('a.json')).toBe('config a.json: /mode must be one of "fast", "safe"');
        write('b.json', JSON.stringify({ ...good, port: 70000 }));
        expect(loadError('b.json')).toBe('config b.json: /port must be <= 65535');
    });
});

describe('secrets', () => {
    it('takes a secret from its environment variable, which wins over the file only when set', () => {
        const file = write('proxy.json', JSON.stringify(good));
        const load = (env: NodeJS.ProcessEnv) => loadConfig<ProxyConfig>(file, schema, { baseDir: dir, secrets, env }).wallet.secretKey;
        expect(load({ COCOON_PROXY_SECRET: 'from-env' })).toBe('from-env');
        expect(load({})).toBe('abc');
        expect(load({ COCOON_PROXY_SECRET: '' })).toBe('abc');
    });

    it('fills a secret that the file leaves out, creating its parent object', () => {
        const file = write('proxy.json', JSON.stringify({ ...good, wallet: undefined }));
        const config = loadConfig<ProxyConfig>(file, schema, { baseDir: dir, secrets, env: { COCOON_PROXY_SECRET: 's' } });
        expect(config.wallet).toEqual({ secretKey: 's' });
    });

    it('reads "env:NAME" from the variable NAME', () => {
        const file = write('proxy.json', JSON.stringify({ ...good, wallet: { secretKey: 'env:MY_KEY' } }));
        const env = { MY_KEY: 'k1' };
        expect(loadConfig<ProxyConfig>(file, schema, { baseDir: dir, secrets, env }).wallet.secretKey).toBe('k1');
        const overridden = loadConfig<ProxyConfig>(file, schema, { baseDir: dir, secrets, env: { ...env, COCOON_PROXY_SECRET: 'k2' } });
        expect(overridden.wallet.secretKey).toBe('k2');
        expect(loadError(file)).toBe("config proxy.json: /wallet/secretKey refers to environment variable 'MY_KEY', which is not set");
    });

    it('leaves "env:" alone in fields that are not secrets', () => {
        const config = validateConfig<ProxyConfig>({ ...good, host: 'env:HOST' }, schema, 'test', { secrets, env: { HOST: 'h' } });
        expect(config.host).toBe('env:HOST');
    });

    it('rejects a secret path that is not a JSON pointer', () => {
        expect(() => validateConfig(good, schema, 'test', { secrets: { 'wallet.secretKey': 'X' }, env: {} })).toThrow(
            "secret path 'wallet.secretKey' is not a JSON pointer",
        );
    });
});

describe('validateConfig', () => {
    it('validates an object without changing it', () => {
        const input = structuredClone(good);
        const config = validateConfig<ProxyConfig>(input, schema, 'proxy (in-process)', { secrets, env: { COCOON_PROXY_SECRET: 'x' } });
        expect(config).toEqual({ ...good, host: '127.0.0.1', wallet: { secretKey: 'x' } });
        expect(input).toEqual(good);
    });

    it('names its source in errors', () => {
        expect(() => validateConfig({ ...good, port: -1 }, schema, 'proxy (in-process)')).toThrow(
            new ConfigError('proxy (in-process)', '/port must be >= 0'),
        );
    });
});

describe('resolvePath', () => {
    it('resolves relative paths against the base and keeps absolute ones', () => {
        expect(resolvePath('/etc/cocoon', 'data/proxy.db')).toBe('/etc/cocoon/data/proxy.db');
        expect(resolvePath('/etc/cocoon', '/var/lib/proxy.db')).toBe('/var/lib/proxy.db');
    });
});
