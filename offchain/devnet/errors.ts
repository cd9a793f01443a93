/**
 * An error the devnet answers in toncenter's shape: `{ ok: false, error, code }` with `code` as the HTTP status.
 * Codes follow toncenter: 416 bad address, 422 bad parameters or unknown method, 500 rejected by the "liteserver"
 * (bad BoC, external message not accepted), 404 unknown path.
 */
export class ApiError extends Error {
    constructor(
        readonly code: number,
        message: string,
    ) {
        super(message);
        this.name = 'ApiError';
    }
}

export const incorrectAddress = () => new ApiError(416, 'Incorrect address');
export const validationError = (detail: string) => new ApiError(422, `Validation error: ${detail}`);
export const liteServerError = (detail: string) => new ApiError(500, `LITE_SERVER_UNKNOWN: ${detail}`);
