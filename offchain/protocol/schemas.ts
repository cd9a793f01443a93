import Ajv, { type ValidateFunction } from 'ajv';
import { MAX_MESSAGE_BYTES, PATHS, type Direction, type DirectionMessages } from './messages';

/**
 * JSON schemas of every message, one per (direction, type). An inbound message must match the schema of its type
 * in its direction exactly: no unknown fields, bounded strings and integers.
 */

type Schema = Record<string, unknown>;

const obj = (properties: Record<string, Schema>, optional: string[] = []): Schema => ({
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
});
const constant = (value: string) => ({ const: value });
const str = (maxLength: number, pattern?: string): Schema => (pattern ? { type: 'string', maxLength, pattern } : { type: 'string', maxLength });
const int = (minimum: number, maximum: number): Schema => ({ type: 'integer', minimum, maximum });
const bool: Schema = { type: 'boolean' };

const U32 = 0xffffffff;
const COUNT = int(0, Number.MAX_SAFE_INTEGER);
/** A cumulative counter or nanoTON amount: decimal, at most 2^64 − 1 in practice (20 digits). */
const decimal = str(20, '^(0|[1-9][0-9]*)$');
const address = str(70, '^-?[0-9]{1,3}:[0-9a-f]{64}$');
const hex32 = str(64, '^[0-9a-f]{64}$');
const hex64 = str(128, '^[0-9a-f]{128}$');
const requestId = str(64, '^[A-Za-z0-9_-]{1,64}$');
const boc = { anyOf: [{ type: 'null' }, str(8192, '^[A-Za-z0-9+/=]+$')] };
const body = str(MAX_MESSAGE_BYTES);
const path = { enum: PATHS };
const errorCode = {
    enum: [
        'bad_message',
        'unsupported_version',
        'auth_failed',
        'address_mismatch',
        'not_allowed',
        'rollback_detected',
        'shutting_down',
        'bad_request',
        'unknown_model',
        'no_workers',
        'insufficient_credit',
        'busy',
        'engine_error',
        'timeout',
        'cancelled',
        'internal',
    ],
};
const httpStatus = int(100, 599);
const versionRange = obj({ min: int(0, 1000), max: int(0, 1000) });
const usage = obj({ promptTokens: COUNT, cachedTokens: COUNT, completionTokens: COUNT, reasoningTokens: COUNT });
const tokens = obj({ prompt: COUNT, cached: COUNT, completion: COUNT, reasoning: COUNT, total: COUNT });
const headers = { type: 'object', maxProperties: 64, additionalProperties: str(4096) };
const proxyInfo = obj({ publicKey: hex32, owner: address, contract: address, root: address, rootVersion: int(0, U32), paramsVersion: int(0, U32) });
const receipt = obj({
    version: { const: 1 },
    requestId,
    proxyContract: address,
    clientContract: address,
    workerContract: address,
    requestHash: hex32,
    responseHash: hex32,
    coefficient: int(0, U32),
    tokens,
    pricePerToken: decimal,
    cost: str(40, '^(0|[1-9][0-9]*)$'),
    clientTotal: decimal,
    at: int(0, U32),
    signature: hex64,
});
const clientLedger = obj({
    tokensMax: decimal,
    committedDb: decimal,
    committedChain: decimal,
    chargedOnChain: decimal,
    reserved: decimal,
    available: decimal,
    signedCharge: boc,
});
const workerLedger = obj({ tokensMax: decimal, committedDb: decimal, committedChain: decimal, paidOnChain: decimal, signedPayout: boc });

const error = obj({ type: constant('error'), code: errorCode, message: str(1000) });
const cancel = obj({ type: constant('cancel'), requestId });
const paymentStatus = obj({ type: constant('payment.status') });
const answerHead = obj({ type: constant('answer.head'), requestId, status: httpStatus, headers });
const answerPart = obj({ type: constant('answer.part'), requestId, data: body });
const answerErrorFields = {
    type: constant('answer.error'),
    requestId,
    code: errorCode,
    message: str(1000),
    status: httpStatus,
    started: bool,
    usage,
};

const SCHEMAS: Record<Direction, Record<string, Schema>> = {
    'client→proxy': {
        'client.hello': obj({ type: constant('client.hello'), protocol: versionRange, owner: address }),
        'client.auth': {
            oneOf: [
                obj({ type: constant('client.auth'), kind: constant('short'), secret: str(256) }),
                obj({ type: constant('client.auth'), kind: constant('long') }),
            ],
        },
        'client.query': obj({
            type: constant('client.query'),
            requestId,
            model: str(256),
            path,
            body,
            maxCoefficient: int(0, 1_000_000_000),
            maxTokens: int(1, 10_000_000),
            timeoutMs: int(1, 3_600_000),
        }),
        cancel,
        'payment.status': paymentStatus,
        models: obj({ type: constant('models') }),
        'receipt.ack': obj({ type: constant('receipt.ack'), requestId }),
        error,
    },
    'proxy→client': {
        'proxy.welcome': obj({
            type: constant('proxy.welcome'),
            version: int(0, 1000),
            proxy: proxyInfo,
            clientContract: address,
            auth: {
                oneOf: [
                    obj({ kind: constant('short'), secretHash: hex32, nonce: decimal }),
                    obj({ kind: constant('long'), nonce: decimal }),
                ],
            },
        }),
        'proxy.authorized': obj({ type: constant('proxy.authorized'), ledger: clientLedger }),
        'answer.head': answerHead,
        'answer.part': answerPart,
        'answer.end': obj({ type: constant('answer.end'), requestId, usage, tokens, receipt }),
        'answer.error': obj({ ...answerErrorFields, tokens, receipt }, ['usage', 'tokens', 'receipt']),
        'answer.receipt': obj({ type: constant('answer.receipt'), requestId, receipt }),
        'proxy.payment': obj({ type: constant('proxy.payment'), ledger: clientLedger }),
        'models.list': obj({
            type: constant('models.list'),
            models: {
                type: 'array',
                maxItems: 1000,
                items: obj({
                    name: str(256),
                    workers: {
                        type: 'array',
                        maxItems: 10000,
                        items: obj({ coefficient: int(0, U32), activeRequests: COUNT, maxActiveRequests: COUNT }),
                    },
                }),
            },
            pricePerToken: decimal,
            workerFeePerToken: decimal,
        }),
        error,
    },
    'worker→proxy': {
        'worker.hello': obj({
            type: constant('worker.hello'),
            protocol: versionRange,
            owner: address,
            model: str(256, '^[^@\\s]+@[^:\\s]+:[^\\s]+$'),
            coefficient: int(0, 999_999_999),
            maxActiveRequests: int(1, 100_000),
        }),
        'worker.compare': obj({ type: constant('worker.compare'), tokensMax: decimal, committedDb: decimal, committedChain: decimal }),
        'worker.state': obj({ type: constant('worker.state'), enabled: bool, coefficient: int(0, 999_999_999) }),
        'answer.head': answerHead,
        'answer.part': answerPart,
        'answer.end': obj({ type: constant('answer.end'), requestId, usage }),
        'answer.error': obj(answerErrorFields, ['usage']),
        'payment.status': paymentStatus,
        error,
    },
    'proxy→worker': {
        'proxy.welcome': obj({ type: constant('proxy.welcome'), version: int(0, 1000), proxy: proxyInfo, workerContract: address }),
        'proxy.compared': obj({ type: constant('proxy.compared'), ok: bool, reason: str(1000), ledger: workerLedger }, ['reason']),
        'proxy.query': obj({
            type: constant('proxy.query'),
            requestId,
            path,
            body,
            coefficient: int(0, 999_999_999),
            maxTokens: int(1, 10_000_000),
            timeoutMs: int(1, 3_600_000),
        }),
        cancel,
        'proxy.payment': obj({ type: constant('proxy.payment'), ledger: workerLedger }),
        error,
    },
};

export class MessageValidationError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'MessageValidationError';
    }
}

const ajv = new Ajv({ allErrors: false, strict: true });
const compiled = new Map<Direction, Map<string, ValidateFunction>>(
    (Object.keys(SCHEMAS) as Direction[]).map((d) => [d, new Map(Object.entries(SCHEMAS[d]).map(([t, s]) => [t, ajv.compile(s)]))]),
);

/** The message types a direction carries. */
export function messageTypes(direction: Direction): string[] {
    return [...compiled.get(direction)!.keys()];
}

/**
 * Parses one frame of `direction` and checks it against its type's schema; throws MessageValidationError naming
 * the problem (the field and what was expected).
 */
export function parseMessage<D extends Direction>(direction: D, text: string): DirectionMessages[D] {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (e) {
        throw new MessageValidationError(`not JSON: ${(e as Error).message}`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new MessageValidationError('a message must be a JSON object');
    const type = (value as { type?: unknown }).type;
    if (typeof type !== 'string') throw new MessageValidationError('a message needs a string "type"');
    const validate = compiled.get(direction)!.get(type);
    if (!validate) throw new MessageValidationError(`"${type.slice(0, 64)}" is not a ${direction} message`);
    if (!validate(value)) {
        const e = validate.errors![0];
        const where = e.instancePath || '/';
        const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : '';
        throw new MessageValidationError(`${type}: ${where} ${e.message}${extra}`);
    }
    return value as DirectionMessages[D];
}
