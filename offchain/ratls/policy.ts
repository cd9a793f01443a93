import type { TcbStatus } from '../attest';
import { PolicyError } from './errors';
import type { ProviderName } from './report';
import { PROVIDER_NAMES } from './report';

/** Rank of each Intel TCB status, best first (Record, so a status added to the type must be ranked here). */
const TCB_RANK: Readonly<Record<TcbStatus, number>> = {
    UpToDate: 0,
    SWHardeningNeeded: 1,
    ConfigurationNeeded: 2,
    ConfigurationAndSWHardeningNeeded: 3,
    OutOfDate: 4,
    OutOfDateConfigurationNeeded: 5,
    Revoked: 6,
};

/** Source of the allowed image hashes (hex); re-read on every verification, so it can follow the root contract. */
export type ImageHashSource = () => Iterable<string> | Promise<Iterable<string>>;

/** What a peer certificate must satisfy. Absent allowlists accept anything (not allowed in production). */
export interface RatlsPolicy {
    name: string;
    /** A production policy accepts only real TDX quotes, requires image hashes and a TCB floor, and forbids DEBUG. */
    production: boolean;
    providers: readonly ProviderName[];
    imageHashes?: ImageHashSource;
    mrTds?: readonly string[];
    /** Allowed (RTMR0, RTMR1, RTMR2, RTMR3) tuples. */
    rtmrs?: readonly (readonly [string, string, string, string])[];
    /** Checked for `tdx` quotes only (fake quotes have no TCB). */
    minTcbStatus?: TcbStatus;
    allowDebug?: boolean;
    /** Tolerated clock difference at notBefore, seconds (default 60, as COCOON's sync-time bound). */
    clockSkewSeconds?: number;
    /** Longest accepted notAfter − notBefore, seconds (default one day). */
    maxValiditySeconds?: number;
}

export const DEFAULT_CLOCK_SKEW_SECONDS = 60;
export const DEFAULT_MAX_VALIDITY_SECONDS = 86_400;

/** Throws PolicyError when a policy is inconsistent or breaks the production rules. */
export function validatePolicy(policy: RatlsPolicy): void {
    if (policy.providers.length === 0) throw new PolicyError(`policy "${policy.name}" accepts no provider`);
    for (const p of policy.providers) {
        if (!PROVIDER_NAMES.includes(p)) throw new PolicyError(`policy "${policy.name}": unknown provider "${p}"`);
    }
    if (policy.minTcbStatus !== undefined && tcbRank(policy.minTcbStatus) < 0) {
        throw new PolicyError(`policy "${policy.name}": unknown TCB status "${policy.minTcbStatus}"`);
    }
    for (const h of policy.mrTds ?? []) hex(policy, 'MRTD', h, 48);
    for (const tuple of policy.rtmrs ?? []) tuple.forEach((h, i) => hex(policy, `RTMR${i}`, h, 48));
    if (!policy.production) return;
    const weak = policy.providers.filter((p) => p !== 'tdx');
    if (weak.length > 0) throw new PolicyError(`production policy "${policy.name}" must not accept provider ${weak.join(', ')}`);
    if (!policy.imageHashes) throw new PolicyError(`production policy "${policy.name}" needs allowed image hashes`);
    if (!policy.minTcbStatus) throw new PolicyError(`production policy "${policy.name}" needs a minimum TCB status`);
    if (policy.allowDebug) throw new PolicyError(`production policy "${policy.name}" must not allow DEBUG TDs`);
}

/** The production policy: real TDX, the given image hashes, TCB UpToDate, no DEBUG. */
export function productionPolicy(name: string, imageHashes: ImageHashSource, extra: Pick<RatlsPolicy, 'mrTds' | 'rtmrs'> = {}): RatlsPolicy {
    return { name, production: true, providers: ['tdx'], imageHashes, minTcbStatus: 'UpToDate', allowDebug: false, ...extra };
}

/** Tests and the local network: fake quotes only, optionally restricted to image hashes (the fake one is 5c55…4b61). */
export function fakePolicy(name: string, imageHashes?: ImageHashSource): RatlsPolicy {
    return { name, production: false, providers: ['fake'], imageHashes };
}

/** Rank of a status (0 = UpToDate, higher = worse), −1 for a string that is no TCB status. */
export function tcbRank(status: string): number {
    return Object.prototype.hasOwnProperty.call(TCB_RANK, status) ? TCB_RANK[status as TcbStatus] : -1;
}

function hex(policy: RatlsPolicy, what: string, value: string, bytes: number): void {
    if (!new RegExp(`^[0-9a-f]{${bytes * 2}}$`).test(value)) {
        throw new PolicyError(`policy "${policy.name}": ${what} "${value}" must be ${bytes * 2} lowercase hex digits`);
    }
}
