import { computeImageHash } from '../../offchain/attest';
import { readInputFile, KiB } from '../../offchain/runtime/inputFile';
import { describeJsonSyntaxError } from '../../offchain/runtime/jsonSyntax';
import { MeasurementError } from './errors';
import { expectedRtmr3, RTMR_BYTES } from './rtmr';
import { computeSpecTreeHash } from './specTree/specTree';

/**
 * The image hash a guest will present, computed before launch: MRTD and RTMR0–2 come from the image (a
 * measurements JSON written by the image build, in the field names of `cocoon attest quote --json`, so a reference
 * boot's report works as is), RTMR3 from the config folder, MRCONFIGID/MROWNER/MROWNERCONFIG zero unless given.
 */

export interface ImageMeasurements {
    readonly mrTd: string;
    readonly mrConfigId: string;
    readonly mrOwner: string;
    readonly mrOwnerConfig: string;
    readonly rtmr0: string;
    readonly rtmr1: string;
    readonly rtmr2: string;
}

const REQUIRED = ['mrTd', 'rtmr0', 'rtmr1', 'rtmr2'] as const;
const OPTIONAL = ['mrConfigId', 'mrOwner', 'mrOwnerConfig'] as const;
const ZERO = '00'.repeat(RTMR_BYTES);
/** A measurements file is a few registers; a whole `attest cert --json` report is still well under this. */
const MAX_MEASUREMENTS_BYTES = 256 * KiB;

/**
 * Parses the measurements JSON: the image build's file, or the report of `attest quote --json` or
 * `attest cert --json` from a reference boot. Other keys (`rtmr3`, `reportData`, …) are ignored.
 */
export function parseMeasurements(text: string, source: string): ImageMeasurements {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new MeasurementError(`${source}: ${describeJsonSyntaxError(text) ?? (e as Error).message}`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
        throw new MeasurementError(`${source}: expected a JSON object`);
    }
    let obj = json as Record<string, unknown>;
    // An `attest cert --json` report carries the quote's registers one level down.
    if (obj.mrTd === undefined && typeof obj.quote === 'object' && obj.quote !== null) obj = obj.quote as Record<string, unknown>;
    const field = (name: string, fallback?: string): string => {
        const v = obj[name];
        if (v === undefined && fallback !== undefined) return fallback;
        if (v === undefined) throw new MeasurementError(`${source}: missing ${name}`);
        if (typeof v !== 'string' || !/^[0-9a-fA-F]{96}$/.test(v)) {
            throw new MeasurementError(`${source}: ${name} must be 96 hex digits (48 bytes)`);
        }
        return v.toLowerCase();
    };
    const out: Record<string, string> = {};
    for (const name of REQUIRED) out[name] = field(name);
    for (const name of OPTIONAL) out[name] = field(name, ZERO);
    return out as unknown as ImageMeasurements;
}

export function readMeasurements(file: string): ImageMeasurements {
    let text: string;
    try {
        text = readInputFile(file, 'measurements', MAX_MEASUREMENTS_BYTES).toString('utf8');
    } catch (e) {
        throw new MeasurementError((e as Error).message);
    }
    return parseMeasurements(text, file);
}

export interface ExpectedImage extends ImageMeasurements {
    readonly imageHash: string;
    readonly specTreeHash: string;
    readonly debug: boolean;
    readonly rtmr3: string;
}

export function expectedImage(m: ImageMeasurements, specTreeHash: string, debug: boolean): ExpectedImage {
    const rtmr3 = expectedRtmr3(specTreeHash, debug).toString('hex');
    return { imageHash: computeImageHash({ ...m, rtmr3 }), specTreeHash, debug, ...m, rtmr3 };
}

export function expectedImageForConfig(measurementsFile: string, configDir: string, debug: boolean): ExpectedImage {
    return expectedImage(readMeasurements(measurementsFile), computeSpecTreeHash(configDir), debug);
}
