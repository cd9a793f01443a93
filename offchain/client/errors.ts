import type { RatlsReport } from '../ratls';

/**
 * Errors of the client API, named and shaped as the official `openai` package's (`status`, `code`, `type`, `param`),
 * so code written against OpenAI catches the same classes. `status` is undefined when no answer came back at all.
 */
export class APIError extends Error {
    constructor(
        readonly status: number | undefined,
        message: string,
        /** Machine-readable reason (a protocol ErrorCode, or e.g. `bad_receipt`). */
        readonly code: string | null = null,
        readonly param: string | null = null,
        readonly requestId: string | null = null,
    ) {
        super(message);
        this.name = new.target.name;
    }

    /** OpenAI's error `type` for this status. */
    get type(): string {
        return errorType(this.status);
    }
}

export class BadRequestError extends APIError {}
export class AuthenticationError extends APIError {}
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
export class RateLimitError extends APIError {}
export class InternalServerError extends APIError {}

/** No answer: the proxy could not be reached, or the connection dropped while the request ran. */
export class APIConnectionError extends APIError {
    constructor(message: string, requestId: string | null = null) {
        super(undefined, message, 'connection_error', null, requestId);
    }
}

/** The request's `timeout` passed; the client cancelled it at the proxy. */
export class APITimeoutError extends APIConnectionError {}

/** The caller aborted the request (its AbortSignal); the client cancelled it at the proxy. */
export class APIUserAbortError extends APIError {
    constructor(message = 'request was aborted', requestId: string | null = null) {
        super(undefined, message, 'aborted', null, requestId);
    }
}

/** The class OpenAI's package throws for `status`. */
export function apiError(status: number, message: string, code: string | null = null, param: string | null = null, requestId: string | null = null): APIError {
    const Class =
        status === 400
            ? BadRequestError
            : status === 401
              ? AuthenticationError
              : status === 403
                ? PermissionDeniedError
                : status === 404
                  ? NotFoundError
                  : status === 429
                    ? RateLimitError
                    : status >= 500
                      ? InternalServerError
                      : APIError;
    return new Class(status, message, code, param, requestId);
}

export function errorType(status: number | undefined): string {
    if (status === undefined) return 'api_connection_error';
    if (status === 401) return 'authentication_error';
    if (status === 402) return 'insufficient_quota';
    if (status === 403) return 'permission_error';
    if (status === 429) return 'rate_limit_error';
    if (status >= 500) return 'server_error';
    return 'invalid_request_error';
}

/**
 * `start()` (or a reconnect) refused a proxy before trusting it: `check` names the failed step — an RA-TLS check
 * (`imageHash`, `validity`, …), `binding` (welcome vs attested claims), `clientContract` (address mismatch),
 * `version`, `auth` — or `connect` when no proxy could be reached at all.
 */
export class ProxyRefusedError extends Error {
    constructor(
        readonly check: string,
        readonly proxy: string,
        message: string,
        readonly report?: RatlsReport,
    ) {
        super(`proxy ${proxy}: ${check}: ${message}`);
        this.name = new.target.name;
    }
}
