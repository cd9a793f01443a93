import { Command } from 'commander';
import {
    checkGpuConfidentialComputing,
    computeSpecTreeHash,
    copyAndMeasureSpecTree,
    describeEvent,
    evidenceFromDir,
    evidenceFromNvidiaSmi,
    expectedImageForConfig,
    parseEventLog,
    replayEventLog,
    TdxToolError,
} from '../../../tdx/src';
import { MiB, readInputFile } from '../../runtime/inputFile';
import { CliInputError, EXIT_FAILED } from '../errors';

/**
 * `cocoon attest image-hash | spec-hash | rtmr-replay | gpu-check`: measurement tools for operators and for the
 * guest's init step. Exit status: 0 success, 1 the GPU check refused, 2 bad input (one line on stderr).
 */

/** The CCEL event log of a TDX guest is tens of KB; firmware reserves at most a few MB for it. */
const MAX_EVENT_LOG_BYTES = 16 * MiB;

/** Runs a command body; the tdx tooling's input faults become bad input (exit 2) for main's error boundary. */
function guarded<A extends unknown[]>(body: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
        try {
            body(...args);
        } catch (e) {
            throw e instanceof TdxToolError ? new CliInputError(e.message) : e;
        }
    };
}

const print = (value: unknown): boolean => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

export function registerMeasure(attest: Command): void {
    attest
        .command('image-hash')
        .description('expected image hash of an image (measurements JSON) booted with a config folder')
        .requiredOption('--measurements <json>', 'MRTD and RTMR0-2 of the image (field names as in `attest quote --json`)')
        .requiredOption('--config <dir>', 'the config folder the guest will measure into RTMR3')
        .option('--debug', 'the guest is launched with cocoon_debug (adds the debug marker to RTMR3)', false)
        .option('--json', 'print every register, the spec-tree hash and the image hash as JSON', false)
        .action(
            guarded((opts: { measurements: string; config: string; debug: boolean; json: boolean }) => {
                const image = expectedImageForConfig(opts.measurements, opts.config, opts.debug);
                if (opts.json) print(image);
                else process.stdout.write(`${image.imageHash}\n`);
            }),
        );

    attest
        .command('spec-hash <dir>')
        .description('spec-tree hash of a config folder (git SHA-256 tree id; .gitignore honoured, runtime/ excluded)')
        .option('--copy-to <dst>', 'copy the measured files (and runtime/) to an empty folder and hash the copy')
        .action(
            guarded((dir: string, opts: { copyTo?: string }) => {
                const hash = opts.copyTo === undefined ? computeSpecTreeHash(dir) : copyAndMeasureSpecTree(dir, opts.copyTo);
                process.stdout.write(`${hash}\n`);
            }),
        );

    attest
        .command('rtmr-replay <eventlog>')
        .description('replay a TCG crypto-agile event log (ACPI CCEL data) into RTMR0-3')
        .option('--json', 'print JSON', false)
        .option('--events', 'first list every event: offset, register, type, SHA-384, data', false)
        .action(
            guarded((file: string, opts: { json: boolean; events: boolean }) => {
                const log = parseEventLog(readInputFile(file, 'event log', MAX_EVENT_LOG_BYTES));
                const [rtmr0, rtmr1, rtmr2, rtmr3] = replayEventLog(log).map((r) => r.toString('hex'));
                if (opts.json) {
                    const events = opts.events ? log.events.map(describeEvent) : log.events.length;
                    print({ rtmr0, rtmr1, rtmr2, rtmr3, events });
                    return;
                }
                if (opts.events) process.stdout.write(log.events.map((e) => `${describeEvent(e)}\n`).join(''));
                process.stdout.write(`rtmr0 ${rtmr0}\nrtmr1 ${rtmr1}\nrtmr2 ${rtmr2}\nrtmr3 ${rtmr3}\n`);
            }),
        );

    attest
        .command('gpu-check')
        .description("refuse a GPU whose confidential-computing mode is not ON (the worker's boot check)")
        .option('--from <dir>', 'read saved outputs (cc-feature.txt, cc-ready.txt, cc-query.txt, smi-q.xml) instead of running nvidia-smi')
        .option('--json', 'print JSON', false)
        .action(
            guarded((opts: { from?: string; json: boolean }) => {
                const result = checkGpuConfidentialComputing(opts.from === undefined ? evidenceFromNvidiaSmi() : evidenceFromDir(opts.from));
                if (opts.json) print(result);
                else process.stdout.write(`${result.summary}\n`);
                if (!result.ok) process.exitCode = EXIT_FAILED;
            }),
        );
}
