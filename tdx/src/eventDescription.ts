import { EV_NO_ACTION, LogEvent, TPM_ALG_SHA384 } from './eventLog';

/** One line per event for people comparing a log with a quote: offset, register, type, SHA-384, data. */

const EVENT_TYPES: Record<number, string> = {
    0x1: 'EV_POST_CODE',
    0x3: 'EV_NO_ACTION',
    0x4: 'EV_SEPARATOR',
    0x5: 'EV_ACTION',
    0x6: 'EV_EVENT_TAG',
    0x7: 'EV_S_CRTM_CONTENTS',
    0x8: 'EV_S_CRTM_VERSION',
    0x9: 'EV_CPU_MICROCODE',
    0xa: 'EV_PLATFORM_CONFIG_FLAGS',
    0xb: 'EV_TABLE_OF_DEVICES',
    0xc: 'EV_COMPACT_HASH',
    0xd: 'EV_IPL',
    0xe: 'EV_IPL_PARTITION_DATA',
    0xf: 'EV_NONHOST_CODE',
    0x10: 'EV_NONHOST_CONFIG',
    0x11: 'EV_NONHOST_INFO',
    0x12: 'EV_OMIT_BOOT_DEVICE_EVENTS',
    0x80000001: 'EV_EFI_VARIABLE_DRIVER_CONFIG',
    0x80000002: 'EV_EFI_VARIABLE_BOOT',
    0x80000003: 'EV_EFI_BOOT_SERVICES_APPLICATION',
    0x80000004: 'EV_EFI_BOOT_SERVICES_DRIVER',
    0x80000005: 'EV_EFI_RUNTIME_SERVICES_DRIVER',
    0x80000006: 'EV_EFI_GPT_EVENT',
    0x80000007: 'EV_EFI_ACTION',
    0x80000008: 'EV_EFI_PLATFORM_FIRMWARE_BLOB',
    0x80000009: 'EV_EFI_HANDOFF_TABLES',
    0x8000000a: 'EV_EFI_PLATFORM_FIRMWARE_BLOB2',
    0x8000000b: 'EV_EFI_HANDOFF_TABLES2',
    0x8000000c: 'EV_EFI_VARIABLE_BOOT2',
    0x80000010: 'EV_EFI_HCRTM_EVENT',
    0x800000e0: 'EV_EFI_VARIABLE_AUTHORITY',
    0x800000e1: 'EV_EFI_SPDM_FIRMWARE_BLOB',
    0x800000e2: 'EV_EFI_SPDM_FIRMWARE_CONFIG',
};

export function eventTypeName(type: number): string {
    return EVENT_TYPES[type] ?? `0x${type.toString(16).padStart(8, '0')}`;
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** Event data as text when it is ASCII or UTF-16LE (trailing NULs dropped), else its length. */
export function eventDataPreview(data: Buffer): string {
    const ascii = data.toString('latin1').replace(/\0+$/, '');
    if (ascii !== '' && PRINTABLE.test(ascii)) return JSON.stringify(ascii);
    if (data.length >= 2 && data.length % 2 === 0) {
        const utf16 = data.toString('utf16le').replace(/\0+$/, '');
        if (utf16 !== '' && PRINTABLE.test(utf16)) return JSON.stringify(utf16);
    }
    return `<${data.length} bytes>`;
}

export function describeEvent(ev: LogEvent): string {
    const register = ev.eventType === EV_NO_ACTION ? '-' : `rtmr${ev.mrIndex - 1}`;
    const sha384 = ev.digests.find((d) => d.algorithmId === TPM_ALG_SHA384)?.digest.toString('hex') ?? '-';
    return `${ev.offset} ${register} ${eventTypeName(ev.eventType)} ${sha384} ${eventDataPreview(ev.data)}`;
}
