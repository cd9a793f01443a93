/** A quote that is not a well-formed TDX quote; the message names the field or offset at fault. */
export class QuoteParseError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'QuoteParseError';
    }
}

/** Collateral JSON or one of its parts (CRL, chain, TCB info, QE identity) that cannot be decoded. */
export class CollateralParseError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'CollateralParseError';
    }
}

/** A certificate, chain or CRL that cannot be decoded (PEM, DER, X.509 structure). */
export class CertificateParseError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'CertificateParseError';
    }
}

/** The PCCS / PCS answered with an error status or an unusable body. */
export class CollateralFetchError extends Error {
    constructor(
        message: string,
        readonly status?: number,
    ) {
        super(message);
        this.name = 'CollateralFetchError';
    }
}
