import { createHash } from 'crypto';
import { MeasurementError } from './errors';

/** TDX runtime measurement registers: 48 bytes, start at zero, `extend(r, d) = SHA-384(r ‖ d)`. */

export const RTMR_BYTES = 48;

export function zeroRtmr(): Buffer {
    return Buffer.alloc(RTMR_BYTES);
}

export function sha384(data: Buffer | string): Buffer {
    return createHash('sha384').update(data).digest();
}

export function extendRtmr(register: Buffer, digest: Buffer): Buffer {
    if (register.length !== RTMR_BYTES) throw new MeasurementError(`register must be ${RTMR_BYTES} bytes, got ${register.length}`);
    if (digest.length !== RTMR_BYTES) throw new MeasurementError(`digest must be ${RTMR_BYTES} bytes, got ${digest.length}`);
    return sha384(Buffer.concat([register, digest]));
}

/** The register after extending each digest in turn, from zero. */
export function replayRtmr(digests: readonly Buffer[]): Buffer {
    return digests.reduce((register, digest) => extendRtmr(register, digest), zeroRtmr());
}

/** The init step's RTMR3 events (ASCII lines; each is extended as its SHA-384). */
export const SPEC_TREE_EVENT_PREFIX = 'cocoon:spec.tree=';
export const DEBUG_EVENT = 'cocoon:cocoon_debug';
export const INITED_EVENT = 'cocoon:tdx_inited';

export function configMeasurementEvents(specTreeHash: string, debug: boolean): string[] {
    if (!/^[0-9a-f]{64}$/.test(specTreeHash)) {
        throw new MeasurementError(`spec-tree hash must be 64 lowercase hex digits, got "${specTreeHash}"`);
    }
    return [`${SPEC_TREE_EVENT_PREFIX}${specTreeHash}`, ...(debug ? [DEBUG_EVENT] : []), INITED_EVENT];
}

/** RTMR3 as a guest booted with this config (and debug flag) reports it once the init step has run. */
export function expectedRtmr3(specTreeHash: string, debug: boolean): Buffer {
    return replayRtmr(configMeasurementEvents(specTreeHash, debug).map((line) => sha384(line)));
}
