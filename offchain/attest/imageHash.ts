import { createHash } from 'crypto';
import { fromHex } from './hex';

/** The eight 48-byte registers COCOON's image hash covers, as bytes or hex, exactly as they stand in the quote. */
export interface Measurements {
    mrTd: Uint8Array | string;
    mrConfigId: Uint8Array | string;
    mrOwner: Uint8Array | string;
    mrOwnerConfig: Uint8Array | string;
    rtmr0: Uint8Array | string;
    rtmr1: Uint8Array | string;
    rtmr2: Uint8Array | string;
    rtmr3: Uint8Array | string;
}

const ORDER: (keyof Measurements)[] = ['mrTd', 'mrConfigId', 'mrOwner', 'mrOwnerConfig', 'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3'];
const REPORT_DATA_PLACE = Buffer.alloc(64);

/**
 * COCOON image hash: SHA-256(MRTD ‖ MRCONFIGID ‖ MROWNER ‖ MROWNERCONFIG ‖ RTMR0..3 ‖ 64 zero bytes), lowercase hex.
 * The zero block stands where COCOON's report layout has REPORTDATA, so the hash does not depend on the key binding.
 */
export function computeImageHash(measurements: Measurements): string {
    const h = createHash('sha256');
    for (const name of ORDER) {
        const value = measurements[name];
        const bytes = typeof value === 'string' ? fromHex(value) : value;
        if (!bytes || bytes.length !== 48) throw new RangeError(`${name} must be 48 bytes (96 hex digits)`);
        h.update(bytes);
    }
    h.update(REPORT_DATA_PLACE);
    return h.digest('hex');
}
