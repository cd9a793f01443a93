/** Base class of every error the `tdx/` tooling raises on bad input, so callers can tell input faults from bugs. */
export class TdxToolError extends Error {
    constructor(message: string) {
        super(message);
        this.name = new.target.name;
    }
}

/** The config folder cannot be measured (unsupported entry, nested repository, oversized file, unreadable). */
export class SpecTreeError extends TdxToolError {}

/** A digest or register value has the wrong length or is not hex. */
export class MeasurementError extends TdxToolError {}

/** The TCG event log is malformed; the message names the byte offset where parsing stopped. */
export class EventLogError extends TdxToolError {
    constructor(
        readonly offset: number,
        problem: string,
    ) {
        super(`event log: ${problem} at offset ${offset}`);
    }
}

/** `nvidia-smi` output could not be understood. */
export class GpuOutputError extends TdxToolError {}
