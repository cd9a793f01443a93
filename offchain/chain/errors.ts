/** Errors of the chain-access library. Every failure a caller can act on has its own class. */

export class ChainError extends Error {
    constructor(message: string) {
        super(message);
        this.name = new.target.name;
    }
}

/** The API answered with `ok: false` (toncenter's error shape): `code` is the HTTP status it reported. */
export class ChainApiError extends ChainError {
    constructor(
        readonly method: string,
        readonly code: number,
        readonly apiMessage: string,
        readonly endpoint: string,
    ) {
        super(`${method} failed at ${endpoint}: ${code} ${apiMessage}`);
    }
}

/** No endpoint could be reached (network errors, timeouts, 5xx/429) after all retries. */
export class ChainUnavailableError extends ChainError {
    constructor(
        readonly method: string,
        readonly attempts: number,
        readonly lastError: string,
    ) {
        super(`${method}: no endpoint answered after ${attempts} attempts (last error: ${lastError})`);
    }
}

/** The API answered, but not in the shape toncenter documents. */
export class ChainResponseError extends ChainError {}

/** A stack entry could not be encoded for, or decoded from, toncenter's get-method format. */
export class StackCodecError extends ChainError {}

/** A get method ended with a non-zero exit code. */
export class GetMethodFailedError extends ChainError {
    constructor(
        readonly address: string,
        readonly getter: string,
        readonly exitCode: number,
    ) {
        super(`get method ${getter} on ${address} failed with exit code ${exitCode}`);
    }
}
