import { describeEvent, eventDataPreview, eventTypeName } from '../../tdx/src/eventDescription';
import { parseEventLog } from '../../tdx/src/eventLog';
import { log } from './eventLogBuilder';

describe('event descriptions', () => {
    test('one line per event: offset, register, type, SHA-384, data', () => {
        expect(parseEventLog(log).events.map(describeEvent)).toEqual([
            `71 rtmr0 EV_EFI_PLATFORM_FIRMWARE_BLOB ${'22'.repeat(48)} "fw"`,
            `175 - EV_NO_ACTION ${'33'.repeat(48)} <0 bytes>`,
            `241 rtmr1 EV_EFI_BOOT_SERVICES_APPLICATION ${'44'.repeat(48)} "bootloader"`,
            `317 rtmr2 EV_IPL ${'55'.repeat(48)} "console=ttyS0 roothash=ab"`,
            `408 rtmr2 EV_IPL ${'66'.repeat(48)} "initrd"`,
            `514 rtmr3 EV_IPL ${'77'.repeat(48)} "os"`,
        ]);
    });

    test('data previews: ASCII, UTF-16LE, binary; unknown types in hex', () => {
        expect(eventDataPreview(Buffer.from('Boot0000', 'utf16le'))).toBe('"Boot0000"');
        expect(eventDataPreview(Buffer.from([0x01, 0x02, 0xff]))).toBe('<3 bytes>');
        expect(eventDataPreview(Buffer.from('say "hi"\0\0'))).toBe('"say \\"hi\\""');
        expect(eventTypeName(0x80000009)).toBe('EV_EFI_HANDOFF_TABLES');
        expect(eventTypeName(0x1234)).toBe('0x00001234');
    });
});
