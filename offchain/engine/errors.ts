/**
 * An error the test engine answers in OpenAI's (and vLLM's) error shape: `{ error: { message, type, param, code } }`
 * with `code` equal to the HTTP status.
 */
export class EngineHttpError extends Error {
    constructor(
        readonly status: number,
        message: string,
        readonly type: string,
        readonly param: string | null = null,
    ) {
        super(message);
        this.name = 'EngineHttpError';
    }

    toJSON(): { error: { message: string; type: string; param: string | null; code: number } } {
        return { error: { message: this.message, type: this.type, param: this.param, code: this.status } };
    }
}

export const badRequest = (message: string, param: string | null = null) => new EngineHttpError(400, message, 'BadRequestError', param);
export const notFound = (message: string, param: string | null = null) => new EngineHttpError(404, message, 'NotFoundError', param);
