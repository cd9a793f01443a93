import { readFileSync } from 'fs';
import { join } from 'path';
import { messageTypes, parseMessage, type Direction } from '../../offchain/protocol';

const DIRECTIONS: Direction[] = ['client→proxy', 'proxy→client', 'worker→proxy', 'proxy→worker'];
const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'protocol.md'), 'utf8');
const examples = [...doc.matchAll(/```json (\S+)\n([\s\S]*?)\n```/g)].map((m) => ({ direction: m[1] as Direction, text: m[2] }));

describe('docs/protocol.md', () => {
    it('labels every example with a direction', () => {
        expect(examples.length).toBeGreaterThan(30);
        for (const e of examples) expect(DIRECTIONS).toContain(e.direction);
    });

    it('has only examples that pass their direction\'s schema', () => {
        for (const e of examples) expect(() => parseMessage(e.direction, e.text)).not.toThrow();
    });

    it.each(DIRECTIONS)('shows an example of every %s message type', (direction) => {
        const shown = new Set(examples.filter((e) => e.direction === direction).map((e) => JSON.parse(e.text).type));
        expect([...shown].sort()).toEqual(messageTypes(direction).sort());
    });
});
