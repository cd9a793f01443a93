import path from 'path';
import Ajv, { ErrorObject, SchemaObject, ValidateFunction } from 'ajv';
import { InputFileError, KiB, readInputFile } from './inputFile';
import { describeJsonSyntaxError } from './jsonSyntax';
import { isPlainObject } from './plain';

/** A config that cannot be used; the message names its source and the offending field. */
export class ConfigError extends Error {
    constructor(
        readonly source: string,
        readonly detail: string,
    ) {
        super(`config ${source}: ${detail}`);
        this.name = new.target.name;
    }
}

export interface SecretOptions {
    /**
     * Secret fields, as JSON pointers (e.g. '/wallet/secretKey'), with the environment variable that may hold each.
     * A set (non-empty) variable wins over the config's value. In the config itself a secret may be written as
     * "env:NAME" to read it from the variable NAME instead, so that files can be committed without secrets.
     */
    secrets?: Record<string, string>;
    /** Default: process.env. */
    env?: NodeJS.ProcessEnv;
}

export interface LoadConfigOptions extends SecretOptions {
    /** A relative `file` is read from here (default: the working directory). */
    baseDir?: string;
}

/** Schemas should say `additionalProperties: false`, so that a misspelt field is an error rather than ignored. */
export type ConfigSchema = SchemaObject;

const ENV_REFERENCE = 'env:';
/** A service config is a few KB; the limit keeps a wrong path (a device, a dump) from being read whole. */
const MAX_CONFIG_BYTES = 1024 * KiB;

// useDefaults fills omitted fields from the schema's `default`; allErrors is off so the first problem is reported.
const ajv = new Ajv({ allErrors: false, useDefaults: true, removeAdditional: false });
const compiled = new WeakMap<ConfigSchema, ValidateFunction>();

/** `p` if absolute, else `p` resolved against `baseDir`. */
export function resolvePath(baseDir: string, p: string): string {
    return path.resolve(baseDir, p);
}

/** Reads, fills secrets of and validates a JSON config file. */
export function loadConfig<T>(file: string, schema: ConfigSchema, options: LoadConfigOptions = {}): T {
    const full = resolvePath(options.baseDir ?? process.cwd(), file);
    let text: string;
    try {
        text = readInputFile(full, 'config', MAX_CONFIG_BYTES).toString('utf8');
    } catch (e) {
        throw new ConfigError(file, e instanceof InputFileError ? e.problem : String(e));
    }
    if (text.startsWith('\uFEFF')) text = text.slice(1);
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        throw new ConfigError(file, describeJsonSyntaxError(text) ?? 'invalid JSON');
    }
    return validateConfig<T>(value, schema, file, options);
}

/**
 * Validates a config given as a value (services started in-process get objects, not files). The value is copied
 * first, so filling defaults and secrets never changes the caller's object.
 */
export function validateConfig<T>(value: unknown, schema: ConfigSchema, sourceName: string, options: SecretOptions = {}): T {
    const copy = copyPlain(value);
    const secrets = options.secrets ?? {};
    const env = options.env ?? process.env;
    for (const [pointer, envName] of Object.entries(secrets)) fillSecret(copy, pointer, envName, env, sourceName);
    let validate = compiled.get(schema);
    if (!validate) {
        validate = ajv.compile(schema);
        compiled.set(schema, validate);
    }
    if (!validate(copy)) throw new ConfigError(sourceName, describe(validate.errors![0], secrets));
    return copy as T;
}

function fillSecret(root: unknown, pointer: string, envName: string, env: NodeJS.ProcessEnv, source: string): void {
    const tokens = parsePointer(pointer);
    const fromEnv = env[envName];
    let parent = root;
    for (const token of tokens.slice(0, -1)) {
        if (!isContainer(parent)) return;
        if (parent[token] === undefined && fromEnv) parent[token] = {};
        parent = parent[token];
    }
    if (!isContainer(parent)) return;
    const key = tokens[tokens.length - 1];
    if (fromEnv) {
        parent[key] = fromEnv;
        return;
    }
    const current = parent[key];
    if (typeof current !== 'string' || !current.startsWith(ENV_REFERENCE)) return;
    const referenced = current.slice(ENV_REFERENCE.length);
    const resolved = referenced ? env[referenced] : undefined;
    if (!resolved) {
        throw new ConfigError(source, `${pointer} refers to environment variable '${referenced}', which is not set`);
    }
    parent[key] = resolved;
}

function parsePointer(pointer: string): string[] {
    if (!pointer.startsWith('/')) throw new RangeError(`secret path '${pointer}' is not a JSON pointer`);
    return pointer
        .slice(1)
        .split('/')
        .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function escapeToken(token: string): string {
    return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isContainer(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null;
}

/** Deep copy of plain objects and arrays; anything else (Buffers, class instances) is kept by reference. */
function copyPlain(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(copyPlain);
    if (isContainer(v) && isPlainObject(v)) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copyPlain(x)]));
    }
    return v;
}

function describe(e: ErrorObject, secrets: Record<string, string>): string {
    const at = e.instancePath || 'top level';
    switch (e.keyword) {
        case 'required': {
            const field = `${e.instancePath}/${escapeToken(e.params.missingProperty as string)}`;
            const envName = secrets[field];
            return `missing required field ${field}${envName ? ` (or set ${envName})` : ''}`;
        }
        case 'additionalProperties':
            return `unknown field ${e.instancePath}/${escapeToken(e.params.additionalProperty as string)}`;
        case 'type': {
            const types = ([] as string[]).concat(e.params.type as string | string[]);
            return `${at} must be ${types.map(withArticle).join(' or ')}`;
        }
        case 'enum':
            return `${at} must be one of ${(e.params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')}`;
        case 'const':
            return `${at} must be ${JSON.stringify(e.params.allowedValue)}`;
        default:
            return `${at} ${e.message ?? `fails '${e.keyword}'`}`;
    }
}

function withArticle(type: string): string {
    if (type === 'null') return 'null';
    return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
