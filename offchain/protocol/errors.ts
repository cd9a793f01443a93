import type { ErrorCode } from './messages';

/** HTTP status of each error code, as the client API answers it (OpenAI's statuses where it has one). */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
    bad_message: 400,
    unsupported_version: 502,
    auth_failed: 502,
    address_mismatch: 502,
    not_allowed: 502,
    rollback_detected: 503,
    shutting_down: 503,
    bad_request: 400,
    unknown_model: 404,
    no_workers: 503,
    insufficient_credit: 402,
    busy: 429,
    engine_error: 502,
    timeout: 504,
    cancelled: 499,
    internal: 500,
};

/** A protocol-level failure with its code; services throw it and turn it into an `error` or `answer.error` message. */
export class ProtocolError extends Error {
    constructor(
        readonly code: ErrorCode,
        message: string,
    ) {
        super(message);
        this.name = 'ProtocolError';
    }

    get status(): number {
        return HTTP_STATUS[this.code];
    }
}
