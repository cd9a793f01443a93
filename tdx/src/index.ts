/** The TypeScript side of `tdx/`: config measurement, RTMR arithmetic, event logs, image hashes, the GPU check. */
export { computeSpecTreeHash, copyAndMeasureSpecTree, MAX_SPEC_FILE_BYTES } from './specTree/specTree';
export { configMeasurementEvents, expectedRtmr3, extendRtmr, replayRtmr, sha384, zeroRtmr, RTMR_BYTES } from './rtmr';
export { parseEventLog, replayEventLog, EV_NO_ACTION, TPM_ALG_SHA384 } from './eventLog';
export type { EventLog, LogEvent, SpecIdHeader } from './eventLog';
export { describeEvent } from './eventDescription';
export { expectedImage, expectedImageForConfig, parseMeasurements, readMeasurements } from './imageHash';
export type { ExpectedImage, ImageMeasurements } from './imageHash';
export { checkGpuConfidentialComputing } from './gpu/ccCheck';
export type { GpuCheckResult, GpuEvidence } from './gpu/ccCheck';
export { evidenceFromDir, evidenceFromNvidiaSmi } from './gpu/collect';
export { TdxToolError, SpecTreeError, MeasurementError, EventLogError, GpuOutputError } from './errors';
