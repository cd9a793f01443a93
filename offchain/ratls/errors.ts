import type { RatlsReport } from './report';

/** Base class of every RA-TLS error, so callers can catch the whole family. */
export class RatlsError extends Error {
    constructor(message: string) {
        super(message);
        this.name = new.target.name;
    }
}

/** The bytes are not a well-formed RA-TLS certificate or claims blob. */
export class CertificateFormatError extends RatlsError {}

/** Malformed user claims (see claims.ts for the format). */
export class ClaimsFormatError extends RatlsError {}

/** A quote provider could not produce a quote (e.g. configfs-tsm missing or misbehaving). */
export class QuoteProviderError extends RatlsError {}

/** A policy that contradicts itself or the production rules (e.g. production accepting `fake`). */
export class PolicyError extends RatlsError {}

/** A peer certificate failed a policy check; `check` names the first failed check, `report` lists them all. */
export class RatlsVerificationError extends RatlsError {
    constructor(
        readonly check: string,
        readonly reason: string,
        readonly report: RatlsReport,
    ) {
        super(`RA-TLS check "${check}" failed: ${reason}`);
    }
}
