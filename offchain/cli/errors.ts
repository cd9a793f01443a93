/**
 * Exit codes of every `cocoon` command, the table in docs/cli.md: 0 done (or accepted), 1 failed or rejected (a quote
 * or certificate that does not verify, a refused GPU, an unreachable chain), 2 bad usage or input (an unknown option,
 * a missing argument, an unreadable, oversized or malformed file).
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** Bad input the user can fix (an argument, a file): exit 2. */
export class CliInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'CliInputError';
    }
}

/** Errors raised by the libraries for bad input (config, key, file, devnet state) rather than a failure. */
const BAD_INPUT_ERRORS = ['ConfigError', 'CliInputError', 'KeyFormatError', 'NetworkSetupError', 'InputFileError', 'DevnetStateError'];

export function exitCodeOf(e: unknown): number {
    return BAD_INPUT_ERRORS.includes((e as Error)?.name) ? EXIT_BAD_INPUT : EXIT_FAILED;
}

/** An error as one line: its message only (never a stack), line breaks folded. */
export function oneLine(e: unknown): string {
    const message = e instanceof Error ? e.message : String(e);
    return message.replace(/\s*\n\s*/g, ' ').trim() || (e as Error)?.name || 'unknown error';
}
