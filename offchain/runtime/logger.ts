import { isPlainObject } from './plain';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
    debug(msg: string, fields?: object): void;
    info(msg: string, fields?: object): void;
    warn(msg: string, fields?: object): void;
    error(msg: string, fields?: object): void;
    /** A logger that adds `fields` to every line (e.g. `{ requestId }`). */
    child(fields: object): Logger;
}

export interface LoggerOptions {
    component: string;
    /** Lines below this level are dropped (default 'info'). */
    level?: LogLevel;
    /** Receives each line without its newline (default: written to stderr). */
    sink?: (line: string) => void;
    fields?: Record<string, unknown>;
}

/** One parsed line, as `memoryLogger` keeps it. */
export interface LogLine {
    t: string;
    level: LogLevel;
    component: string;
    msg: string;
    [field: string]: unknown;
}

export const REDACTED = '[redacted]';

const SECRET_WORD = /secret|password|mnemonic|private|authorization|api[-_]?key/i;
const WORD_TOKEN = /(?:^|[-_.])token$/i;
const CAMEL_TOKEN = /[a-z0-9]Token$/;
const PER_TOKEN = /per[-_.]?token$/i;

/**
 * Whether values under `key` are secrets and never written. `token` counts only as a whole word or a camelCase
 * suffix (`token`, `accessToken`, `ADMIN_TOKEN`, `x-auth-token`), so token counts (`tokens`, `promptTokens`,
 * `tokensUsed`) and prices (`pricePerToken`) stay visible.
 */
export function isSecretKey(key: string): boolean {
    return SECRET_WORD.test(key) || ((WORD_TOKEN.test(key) || CAMEL_TOKEN.test(key)) && !PER_TOKEN.test(key));
}

/**
 * A structured logger writing one JSON object per line: `{"t","level","component","msg",...fields}`. Secrets are
 * recognised by their field's key (isSecretKey), at any depth; `msg` itself is written as given.
 */
export function createLogger(opts: LoggerOptions): Logger {
    const level = opts.level ?? 'info';
    if (!(level in LEVELS)) throw new RangeError(`unknown log level '${level}'`);
    const sink = opts.sink ?? ((line: string) => void process.stderr.write(`${line}\n`));
    return new JsonLogger(opts.component, LEVELS[level], sink, opts.fields ?? {});
}

class JsonLogger implements Logger {
    constructor(
        private readonly component: string,
        private readonly threshold: number,
        private readonly sink: (line: string) => void,
        private readonly fields: object,
    ) {}

    debug(msg: string, fields?: object): void {
        this.write('debug', msg, fields);
    }

    info(msg: string, fields?: object): void {
        this.write('info', msg, fields);
    }

    warn(msg: string, fields?: object): void {
        this.write('warn', msg, fields);
    }

    error(msg: string, fields?: object): void {
        this.write('error', msg, fields);
    }

    child(fields: object): Logger {
        return new JsonLogger(this.component, this.threshold, this.sink, { ...this.fields, ...fields });
    }

    private write(level: LogLevel, msg: string, fields: object | undefined): void {
        if (LEVELS[level] < this.threshold) return;
        const extra = clean({ ...this.fields, ...fields }, new Set()) as object;
        const fixed = { t: new Date().toISOString(), level, component: this.component, msg };
        // First for the key order, last so that no field can forge them.
        this.sink(JSON.stringify({ ...fixed, ...extra, ...fixed }));
    }
}

/** Makes a field value JSON-safe: secrets redacted, bigints and byte arrays as strings, errors as their fields. */
function clean(value: unknown, seen: Set<object>): unknown {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value !== 'object' || value === null) return value;
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    try {
        if (value instanceof Error) {
            const code = (value as NodeJS.ErrnoException).code;
            return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
        }
        if (Array.isArray(value)) return value.map((x) => clean(x, seen));
        if (!isPlainObject(value)) {
            // Class instances (addresses, cells) log as their own rendering rather than their internals.
            const custom = value as { toJSON?: () => unknown; toString: () => string };
            if (typeof custom.toJSON === 'function') return clean(custom.toJSON(), seen);
            if (custom.toString !== Object.prototype.toString) return custom.toString();
        }
        return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, isSecretKey(k) ? REDACTED : clean(x, seen)]));
    } finally {
        seen.delete(value);
    }
}

/** A logger that writes nothing. */
export function silentLogger(): Logger {
    return createLogger({ component: 'silent', level: 'error', sink: () => {} });
}

export interface MemoryLogger extends Logger {
    /** Every line written so far, by this logger and its children, parsed. */
    readonly lines: LogLine[];
}

/** A logger for tests: keeps every line (all levels by default), parsed. */
export function memoryLogger(component = 'test', level: LogLevel = 'debug'): MemoryLogger {
    const lines: LogLine[] = [];
    const log = createLogger({ component, level, sink: (line) => lines.push(JSON.parse(line) as LogLine) });
    return Object.assign(log, { lines });
}
