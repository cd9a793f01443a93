/**
 * The exact source text of a top-level member of a JSON object. Intel signs the bytes of `tcbInfo` /
 * `enclaveIdentity` as they stand in the response body, so they must be cut out, never re-serialized.
 * Returns undefined when the text is not an object or has no such member.
 */
export function rawJsonMember(text: string, key: string): string | undefined {
    let i = skipWs(text, 0);
    if (text[i] !== '{') return undefined;
    i = skipWs(text, i + 1);
    while (i < text.length && text[i] !== '}') {
        const keyEnd = endOfString(text, i);
        if (keyEnd < 0) return undefined;
        let name: string;
        try {
            name = JSON.parse(text.slice(i, keyEnd)) as string;
        } catch {
            return undefined; // a key with a bad escape
        }
        i = skipWs(text, keyEnd);
        if (text[i] !== ':') return undefined;
        const start = skipWs(text, i + 1);
        const end = endOfValue(text, start);
        if (end < 0) return undefined;
        if (name === key) return text.slice(start, end);
        i = skipWs(text, end);
        if (text[i] === ',') i = skipWs(text, i + 1);
    }
    return undefined;
}

function skipWs(text: string, i: number): number {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
    return i;
}

/** Index just past the string starting at `i` (which must be a quote), or -1. */
function endOfString(text: string, i: number): number {
    if (text[i] !== '"') return -1;
    for (let j = i + 1; j < text.length; j++) {
        if (text[j] === '\\') j++;
        else if (text[j] === '"') return j + 1;
    }
    return -1;
}

/** Index just past the JSON value starting at `i`, or -1. Nesting is tracked; strings are skipped whole. */
function endOfValue(text: string, i: number): number {
    if (text[i] === '"') return endOfString(text, i);
    if (text[i] !== '{' && text[i] !== '[') {
        const m = /^[^,}\]\s]+/.exec(text.slice(i));
        return m ? i + m[0].length : -1;
    }
    let depth = 0;
    for (let j = i; j < text.length; j++) {
        const c = text[j];
        if (c === '"') {
            j = endOfString(text, j) - 1;
            if (j < 0) return -1;
        } else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
            depth--;
            if (depth === 0) return j + 1;
        }
    }
    return -1;
}
