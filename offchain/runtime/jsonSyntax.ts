/** Where JSON text first goes wrong. */
export interface JsonSyntaxError {
    line: number;
    column: number;
    reason: string;
}

class Stop {
    constructor(
        readonly offset: number,
        readonly reason: string,
    ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /["\\/bfnrt]|u[0-9a-fA-F]{4}/y;

/**
 * Finds the first syntax error in `text` (undefined when it is valid JSON). V8's own messages lack a position for
 * some errors and quote a piece of the input, which may be a secret, so config errors use this instead.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
    let i = 0;
    const fail = (reason: string): never => {
        throw new Stop(i, i >= text.length ? 'unexpected end of input' : reason);
    };
    const unexpected = (): never => fail(`unexpected character ${printable(text[i] ?? '')}`);
    const ws = () => {
        while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
    };
    const string = () => {
        i++;
        for (;;) {
            if (i >= text.length) fail('unterminated string');
            const c = text.charCodeAt(i);
            if (c === 0x22) break;
            if (c < 0x20) fail('control character in a string');
            if (c === 0x5c) {
                ESCAPE.lastIndex = ++i;
                if (!ESCAPE.test(text)) fail('invalid escape in a string');
                i = ESCAPE.lastIndex;
            } else {
                i++;
            }
        }
        i++;
    };
    const value = (): void => {
        ws();
        const c = text[i];
        if (c === '{') return container('}', true);
        if (c === '[') return container(']', false);
        if (c === '"') return string();
        if (c === '-' || (c >= '0' && c <= '9')) {
            NUMBER.lastIndex = i;
            if (!NUMBER.test(text)) fail('invalid number');
            i = NUMBER.lastIndex;
            return;
        }
        for (const word of ['true', 'false', 'null']) {
            if (text.startsWith(word, i)) {
                i += word.length;
                return;
            }
        }
        unexpected();
    };
    const container = (close: string, isObject: boolean) => {
        i++;
        ws();
        if (text[i] === close) {
            i++;
            return;
        }
        for (;;) {
            if (isObject) {
                ws();
                if (text[i] !== '"') fail('expected a property name in double quotes');
                string();
                ws();
                if (text[i] !== ':') fail("expected ':' after a property name");
                i++;
            }
            value();
            ws();
            if (text[i] === close) {
                i++;
                return;
            }
            if (text[i] !== ',') fail(`expected ',' or '${close}'`);
            i++;
        }
    };
    try {
        value();
        ws();
        if (i < text.length) fail('unexpected text after the JSON value');
        return undefined;
    } catch (e) {
        if (!(e instanceof Stop)) throw e;
        const before = text.slice(0, e.offset);
        const lineStart = before.lastIndexOf('\n') + 1;
        return { line: before.split('\n').length, column: e.offset - lineStart + 1, reason: e.reason };
    }
}

/** A character quoted for an error line: anything but printable ASCII as a \u escape, never a raw byte. */
function printable(c: string): string {
    return JSON.stringify(c).replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** "invalid JSON at line L, column C: reason", quoting no input but one escaped character; undefined when valid. */
export function describeJsonSyntaxError(text: string): string | undefined {
    const where = findJsonSyntaxError(text);
    return where && `invalid JSON at line ${where.line}, column ${where.column}: ${where.reason}`;
}
