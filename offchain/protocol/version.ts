import { ProtocolError } from './errors';
import { PROTOCOL_MAX_VERSION, PROTOCOL_MIN_VERSION, type VersionRange } from './messages';

/** Our supported range, as a hello carries it. */
export const OUR_VERSIONS: VersionRange = { min: PROTOCOL_MIN_VERSION, max: PROTOCOL_MAX_VERSION };

/** The highest version both sides support; ProtocolError('unsupported_version') when the ranges do not meet. */
export function negotiateVersion(remote: VersionRange, ours: VersionRange = OUR_VERSIONS): number {
    if (remote.min > remote.max) throw new ProtocolError('unsupported_version', `protocol range ${remote.min}..${remote.max} is empty`);
    const chosen = Math.min(remote.max, ours.max);
    if (chosen < Math.max(remote.min, ours.min)) {
        throw new ProtocolError('unsupported_version', `no common protocol version: peer supports ${remote.min}..${remote.max}, we ${ours.min}..${ours.max}`);
    }
    return chosen;
}
