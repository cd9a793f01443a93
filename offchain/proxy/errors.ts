/** The proxy could not start (funding, deployment, a database that belongs to another contract). */
export class ProxyStartError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ProxyStartError';
    }
}

/** The proxy refuses work (a rollback was detected); the message says why. */
export class ProxyRefusingError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ProxyRefusingError';
    }
}

/** A settlement step (save-state, charge, payout) did not complete. */
export class SettlementError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'SettlementError';
    }
}
