/**
 * `.gitignore` rules as git applies them (gitignore(5) and git's wildmatch with WM_PATHNAME), so the spec-tree
 * hash measures exactly the files `git add -A` would stage. Global excludes and `info/exclude` play no part.
 */

export interface IgnoreRule {
    readonly source: string;
    readonly negated: boolean;
    readonly dirOnly: boolean;
    /** A pattern without a slash (other than a trailing one) matches the last path component at any depth. */
    readonly basenameOnly: boolean;
    /** null when git would treat the pattern as malformed: it then matches nothing. */
    readonly regex: RegExp | null;
}

/** The rules of one `.gitignore` file, with the folder (relative to the measured root, '' = root) it lives in. */
export interface IgnoreFile {
    readonly base: string;
    readonly rules: readonly IgnoreRule[];
}

export function parseGitignore(text: string): IgnoreRule[] {
    const rules: IgnoreRule[] = [];
    const body = text.startsWith('\ufeff') ? text.slice(1) : text;
    for (let line of body.split('\n')) {
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line === '' || line.startsWith('#')) continue;
        line = trimTrailingSpaces(line);
        if (line === '') continue;
        const rule = parseRule(line);
        if (rule) rules.push(rule);
    }
    return rules;
}

function parseRule(source: string): IgnoreRule | null {
    let pattern = source;
    const negated = pattern.startsWith('!');
    if (negated) pattern = pattern.slice(1);
    const dirOnly = pattern.endsWith('/');
    if (dirOnly) pattern = pattern.slice(0, -1);
    if (pattern === '') return null;
    const basenameOnly = !pattern.includes('/');
    if (pattern.startsWith('/')) pattern = pattern.slice(1);
    return { source, negated, dirOnly, basenameOnly, regex: compileWildmatch(pattern) };
}

/** Trailing spaces are dropped unless escaped with a backslash (git's trim_trailing_spaces). */
function trimTrailingSpaces(line: string): string {
    let lastSpace = -1;
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (c === ' ') {
            if (lastSpace < 0) lastSpace = i;
        } else if (c === '\\') {
            i++;
            if (i >= line.length) return line;
            lastSpace = -1;
        } else {
            lastSpace = -1;
        }
    }
    return lastSpace >= 0 ? line.slice(0, lastSpace) : line;
}

/** Whether a rule matches `relPath`, given relative to the rule's `.gitignore` folder. */
export function ruleMatches(rule: IgnoreRule, relPath: string, isDir: boolean): boolean {
    if (rule.regex === null || (rule.dirOnly && !isDir)) return false;
    const subject = rule.basenameOnly ? relPath.slice(relPath.lastIndexOf('/') + 1) : relPath;
    return rule.regex.test(subject);
}

/**
 * Git's decision for one path: the deepest `.gitignore` that has a matching rule decides, and within a file the
 * last matching rule wins. `files` are ordered from the root down and must all be ancestors of `path`.
 */
export function isIgnored(files: readonly IgnoreFile[], path: string, isDir: boolean): boolean {
    for (let f = files.length - 1; f >= 0; f--) {
        const { base, rules } = files[f];
        const rel = base === '' ? path : path.slice(base.length + 1);
        for (let r = rules.length - 1; r >= 0; r--) {
            if (ruleMatches(rules[r], rel, isDir)) return !rules[r].negated;
        }
    }
    return false;
}

const POSIX_CLASSES: Record<string, string> = {
    alnum: 'a-zA-Z0-9',
    alpha: 'a-zA-Z',
    blank: ' \\t',
    cntrl: '\\x00-\\x1f\\x7f',
    digit: '0-9',
    graph: '\\x21-\\x7e',
    lower: 'a-z',
    print: '\\x20-\\x7e',
    punct: '!-\\/:-@\\[-`{-~',
    space: ' \\t\\n\\r\\f\\v',
    upper: 'A-Z',
    xdigit: '0-9a-fA-F',
};

function literal(ch: string): string {
    return `\\u{${ch.codePointAt(0)!.toString(16)}}`;
}

/** Translates a wildmatch pattern (WM_PATHNAME) into an anchored regular expression, or null if malformed. */
export function compileWildmatch(pattern: string): RegExp | null {
    const chars = Array.from(pattern);
    let re = '';
    let i = 0;
    while (i < chars.length) {
        const c = chars[i];
        if (c === '*') {
            let j = i;
            while (chars[j] === '*') j++;
            const boundedBefore = i === 0 || chars[i - 1] === '/';
            const boundedAfter = j === chars.length || chars[j] === '/';
            if (j - i >= 2 && boundedBefore && boundedAfter) {
                // "**" as a whole path component: any number of directories.
                if (j === chars.length) {
                    re += '.*';
                    i = j;
                } else {
                    re += '(?:.*/)?';
                    i = j + 1;
                }
            } else {
                re += '[^/]*';
                i = j;
            }
        } else if (c === '?') {
            re += '[^/]';
            i++;
        } else if (c === '\\') {
            if (i + 1 >= chars.length) return null;
            re += literal(chars[i + 1]);
            i += 2;
        } else if (c === '[') {
            const cls = compileClass(chars, i);
            if (cls === null) return null;
            re += cls.re;
            i = cls.next;
        } else {
            re += literal(c);
            i++;
        }
    }
    return new RegExp(`^${re}$`, 'su');
}

/** A bracket expression starting at `start` ('['); mirrors wildmatch.c, including "first ']' is literal". */
function compileClass(chars: string[], start: number): { re: string; next: number } | null {
    let p = start + 1;
    let negated = false;
    if (chars[p] === '!' || chars[p] === '^') {
        negated = true;
        p++;
    }
    const parts: string[] = [];
    let prev: string | null = null;
    let first = true;
    while (first || chars[p] !== ']') {
        first = false;
        let ch = chars[p];
        if (ch === undefined) return null;
        if (ch === '\\') {
            p++;
            ch = chars[p];
            if (ch === undefined) return null;
            parts.push(literal(ch));
            prev = ch;
        } else if (ch === '-' && prev !== null && chars[p + 1] !== undefined && chars[p + 1] !== ']') {
            p++;
            let end = chars[p];
            if (end === '\\') {
                p++;
                end = chars[p];
                if (end === undefined) return null;
            }
            parts.pop();
            // An inverted range matches nothing, as in wildmatch.
            if (end.codePointAt(0)! >= prev.codePointAt(0)!) parts.push(`${literal(prev)}-${literal(end)}`);
            prev = null;
        } else if (ch === '[' && chars[p + 1] === ':') {
            const close = chars.indexOf(':', p + 2);
            if (close < 0 || chars[close + 1] !== ']') {
                parts.push(literal(ch));
                prev = ch;
            } else {
                const name = chars.slice(p + 2, close).join('');
                const set = POSIX_CLASSES[name];
                if (set === undefined) return null;
                parts.push(set);
                p = close + 1;
                prev = null;
            }
        } else {
            parts.push(literal(ch));
            prev = ch;
        }
        p++;
    }
    const body = parts.join('');
    // A bracket expression never matches '/' under WM_PATHNAME; an empty set matches nothing.
    const re = negated ? `[^/${body}]` : body === '' ? '(?!)' : `(?!/)[${body}]`;
    return { re, next: p + 1 };
}
