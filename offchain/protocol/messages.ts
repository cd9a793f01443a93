/**
 * Every message of the COCOON service protocol (JSON text frames over `ws` on RA-TLS). Four directions, each with
 * its own set of types; `schemas.ts` validates every inbound message against the set of its direction. Cumulative
 * counters and nanoTON amounts are decimal strings (they exceed 2^53); per-request token counts are integers;
 * addresses are raw strings (`0:<hex>`); BoCs are base64. docs/protocol.md shows an example of each.
 */

export const PROTOCOL_MIN_VERSION = 1;
export const PROTOCOL_MAX_VERSION = 1;

/** Largest frame either side accepts; a larger one closes the connection (1009). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

export type Path = '/v1/chat/completions' | '/v1/completions';
export const PATHS: readonly Path[] = ['/v1/chat/completions', '/v1/completions'];

export interface VersionRange {
    min: number;
    max: number;
}

/** Raw usage as the engine reported it (OpenAI's `usage`, with cached and reasoning details). */
export interface Usage {
    promptTokens: number;
    cachedTokens: number;
    completionTokens: number;
    reasoningTokens: number;
}

/** Usage adjusted by the worker's coefficient and the root's multipliers (what is paid for). */
export interface AdjustedTokens {
    prompt: number;
    cached: number;
    completion: number;
    reasoning: number;
    total: number;
}

/** The proxy as it presents itself; every field is checked by the peer against the chain. */
export interface ProxyInfo {
    /** Ed25519 payment key (hex), the key in the proxy contract that signs charges, payouts and receipts. */
    publicKey: string;
    owner: string;
    contract: string;
    root: string;
    rootVersion: number;
    paramsVersion: number;
}

/** A client's counters as the proxy keeps them (adjusted tokens, decimal strings). */
export interface ClientLedger {
    /** Everything accounted so far. */
    tokensMax: string;
    committedDb: string;
    /** Covered by a save-state record confirmed on-chain: what `signedCharge` is for. */
    committedChain: string;
    /** `tokens_used` of the client contract as last seen on-chain. */
    chargedOnChain: string;
    reserved: string;
    /** Tokens the client may still use now. */
    available: string;
    /** Signed `ext_client_charge_signed` envelope (BoC, base64) for `committedChain`, when it exceeds the charged count. */
    signedCharge: string | null;
}

export interface WorkerLedger {
    tokensMax: string;
    committedDb: string;
    committedChain: string;
    /** `tokens` of the worker contract as last seen on-chain. */
    paidOnChain: string;
    /** Signed `ext_worker_payout_request_signed` envelope (BoC, base64) for `committedChain`. */
    signedPayout: string | null;
}

/** What the proxy signs with each answer: proof of what was charged for what (docs/protocol.md, "Receipts"). */
export interface Receipt {
    version: 1;
    requestId: string;
    proxyContract: string;
    clientContract: string;
    workerContract: string;
    /** SHA-256 (hex) of the request body text as the client sent it. */
    requestHash: string;
    /** SHA-256 (hex) of the response body bytes as the proxy forwarded them. */
    responseHash: string;
    coefficient: number;
    tokens: AdjustedTokens;
    pricePerToken: string;
    /** tokens.total × pricePerToken, nanoTON. */
    cost: string;
    /** The client's cumulative accounted tokens after this request. */
    clientTotal: string;
    /** Unix seconds. */
    at: number;
    /** Ed25519 signature (hex) by the proxy payment key over SHA-256 of `receiptSigningText`. */
    signature: string;
}

export interface ModelInfo {
    /** Base name, as clients request it. */
    name: string;
    workers: { coefficient: number; activeRequests: number; maxActiveRequests: number }[];
}

/** Machine-readable reasons; each maps to an HTTP status for the client API (`errors.ts`). */
export type ErrorCode =
    | 'bad_message'
    | 'unsupported_version'
    | 'auth_failed'
    | 'address_mismatch'
    | 'not_allowed'
    | 'rollback_detected'
    | 'shutting_down'
    | 'bad_request'
    | 'unknown_model'
    | 'no_workers'
    | 'insufficient_credit'
    | 'busy'
    | 'engine_error'
    | 'timeout'
    | 'cancelled'
    | 'internal';

/** Sent before closing a connection for a reason the peer should know. */
export interface ErrorMessage {
    type: 'error';
    code: ErrorCode;
    message: string;
}

// ---- client → proxy

export interface ClientHello {
    type: 'client.hello';
    protocol: VersionRange;
    /** Owner of the client contract: the client's wallet. */
    owner: string;
}

export type ClientAuth = { type: 'client.auth'; kind: 'short'; secret: string } | { type: 'client.auth'; kind: 'long' };

export interface ClientQuery {
    type: 'client.query';
    requestId: string;
    model: string;
    path: Path;
    /** The OpenAI request body, JSON text exactly as the client hashes it for the receipt. */
    body: string;
    /** Highest worker coefficient the client accepts (1000 = ×1). */
    maxCoefficient: number;
    /** Completion tokens to reserve (the worker caps the engine request to the reservation). */
    maxTokens: number;
    timeoutMs: number;
}

export interface Cancel {
    type: 'cancel';
    requestId: string;
}

export interface PaymentStatusRequest {
    type: 'payment.status';
}

export interface ModelsRequest {
    type: 'models';
}

/** The client kept a late receipt (`answer.receipt`): the proxy may forget it. */
export interface ReceiptAck {
    type: 'receipt.ack';
    requestId: string;
}

export type ClientToProxy = ClientHello | ClientAuth | ClientQuery | Cancel | PaymentStatusRequest | ModelsRequest | ReceiptAck | ErrorMessage;

// ---- proxy → client

export interface ProxyWelcomeClient {
    type: 'proxy.welcome';
    version: number;
    proxy: ProxyInfo;
    clientContract: string;
    /** short: the client contract holds a secret hash (given), prove the secret; long: register `nonce` on-chain. */
    auth: { kind: 'short'; secretHash: string; nonce: string } | { kind: 'long'; nonce: string };
}

export interface ClientAuthorized {
    type: 'proxy.authorized';
    ledger: ClientLedger;
}

export interface AnswerHead {
    type: 'answer.head';
    requestId: string;
    status: number;
    headers: Record<string, string>;
}

export interface AnswerPart {
    type: 'answer.part';
    requestId: string;
    data: string;
}

/** Last message of a request towards the client: what it cost, signed. */
export interface ClientAnswerEnd {
    type: 'answer.end';
    requestId: string;
    usage: Usage;
    tokens: AdjustedTokens;
    receipt: Receipt;
}

/** A failed request, on either hop. */
interface AnswerErrorFields {
    type: 'answer.error';
    requestId: string;
    code: ErrorCode;
    message: string;
    /** HTTP status for the client API. */
    status: number;
    /** True once answer.head was sent: the client API can only end the stream with an error event. */
    started: boolean;
    /** What the engine produced before failing (charged, and paid to the worker). */
    usage?: Usage;
}

/** Towards the client: with `tokens` and `receipt` when tokens were produced (and charged) before the failure. */
export interface ClientAnswerError extends AnswerErrorFields {
    tokens?: AdjustedTokens;
    receipt?: Receipt;
}

/**
 * The receipt of a charged request whose answer never reached the client (its connection ended first, e.g. the
 * client crashed): sent after each authorization until the client acknowledges it (`receipt.ack`).
 */
export interface LateReceipt {
    type: 'answer.receipt';
    requestId: string;
    receipt: Receipt;
}

export interface ClientPayment {
    type: 'proxy.payment';
    ledger: ClientLedger;
}

export interface ModelsList {
    type: 'models.list';
    models: ModelInfo[];
    pricePerToken: string;
    workerFeePerToken: string;
}

export type ProxyToClient =
    | ProxyWelcomeClient
    | ClientAuthorized
    | AnswerHead
    | AnswerPart
    | ClientAnswerEnd
    | ClientAnswerError
    | LateReceipt
    | ClientPayment
    | ModelsList
    | ErrorMessage;

// ---- worker → proxy

export interface WorkerHello {
    type: 'worker.hello';
    protocol: VersionRange;
    owner: string;
    /** Full model name `name@commit:hash`; SHA-256 of it must be in the root's model hashes. */
    model: string;
    coefficient: number;
    maxActiveRequests: number;
}

/** The worker's remembered counters: none may exceed the proxy's (the rollback tripwire). */
export interface WorkerCompare {
    type: 'worker.compare';
    tokensMax: string;
    committedDb: string;
    committedChain: string;
}

export interface WorkerState {
    type: 'worker.state';
    enabled: boolean;
    coefficient: number;
}

export interface WorkerAnswerEnd {
    type: 'answer.end';
    requestId: string;
    usage: Usage;
}

export type WorkerAnswerError = AnswerErrorFields;

export type WorkerToProxy =
    | WorkerHello
    | WorkerCompare
    | WorkerState
    | AnswerHead
    | AnswerPart
    | WorkerAnswerEnd
    | WorkerAnswerError
    | PaymentStatusRequest
    | ErrorMessage;

// ---- proxy → worker

export interface ProxyWelcomeWorker {
    type: 'proxy.welcome';
    version: number;
    proxy: ProxyInfo;
    workerContract: string;
}

export interface WorkerCompared {
    type: 'proxy.compared';
    ok: boolean;
    reason?: string;
    ledger: WorkerLedger;
}

export interface ProxyQuery {
    type: 'proxy.query';
    requestId: string;
    path: Path;
    body: string;
    /** The coefficient this request is paid at (the connection's current one). */
    coefficient: number;
    /** The reservation: the worker caps the engine's max tokens to it and cuts a stream that exceeds it. */
    maxTokens: number;
    timeoutMs: number;
}

export interface WorkerPayment {
    type: 'proxy.payment';
    ledger: WorkerLedger;
}

export type ProxyToWorker = ProxyWelcomeWorker | WorkerCompared | ProxyQuery | Cancel | WorkerPayment | ErrorMessage;

export type Direction = 'client→proxy' | 'proxy→client' | 'worker→proxy' | 'proxy→worker';

export interface DirectionMessages {
    'client→proxy': ClientToProxy;
    'proxy→client': ProxyToClient;
    'worker→proxy': WorkerToProxy;
    'proxy→worker': ProxyToWorker;
}
