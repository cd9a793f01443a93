import { GpuOutputError } from '../errors';

/** Just enough XML for `nvidia-smi -q -x`: elements, attributes, text, entities; prolog, DOCTYPE and comments skipped. */

export interface XmlElement {
    readonly name: string;
    readonly attrs: Readonly<Record<string, string>>;
    readonly children: XmlElement[];
    text: string;
}

const TOKEN =
    /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)|(<)/gy;
const ATTR = /([\w:.-]+)\s*=\s*"([^"]*)"/g;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decode(s: string): string {
    return s.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ENTITIES[e]);
}

export function parseXml(source: string): XmlElement {
    const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
    const stack: XmlElement[] = [root];
    TOKEN.lastIndex = 0;
    let m: RegExpExecArray | null;
    while (TOKEN.lastIndex < source.length && (m = TOKEN.exec(source)) !== null) {
        const [, close, open, attrText, selfClosing, text, stray] = m;
        const top = stack[stack.length - 1];
        if (stray !== undefined) throw new GpuOutputError(`XML: malformed markup at character ${m.index}`);
        if (text !== undefined) {
            top.text += decode(text);
        } else if (open !== undefined) {
            const attrs: Record<string, string> = {};
            for (const a of (attrText ?? '').matchAll(ATTR)) attrs[a[1]] = decode(a[2]);
            const el: XmlElement = { name: open, attrs, children: [], text: '' };
            top.children.push(el);
            if (selfClosing !== '/') stack.push(el);
        } else if (close !== undefined) {
            if (top.name !== close) throw new GpuOutputError(`XML: </${close}> at character ${m.index} closes <${top.name}>`);
            stack.pop();
        }
    }
    if (stack.length > 1) throw new GpuOutputError(`XML: <${stack[stack.length - 1].name}> is never closed`);
    return root;
}

export function child(el: XmlElement, name: string): XmlElement | undefined {
    return el.children.find((c) => c.name === name);
}

/** Trimmed text at a path of child names, or undefined when any step is missing. */
export function textAt(el: XmlElement, ...names: string[]): string | undefined {
    let cur: XmlElement | undefined = el;
    for (const n of names) cur = cur && child(cur, n);
    return cur?.text.trim();
}
