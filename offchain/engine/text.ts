import { createHash } from 'crypto';

/**
 * The test engine's deterministic "model": how prompts are counted and answers are made.
 *
 * - A token is a word: prompt_tokens = whitespace-separated words of the prompt text, minimum 1.
 * - The answer is a sequence of words from VOCABULARY, picked by the bytes of SHA-256 blocks keyed by
 *   (prompt text, seed): block k = SHA-256(SHA-256(JSON [prompt, seed|null]) ‖ uint32be k), byte b picks word b mod 64.
 *   The same prompt and seed always give the same words; another seed gives other words.
 * - Directives in the prompt text (they are ordinary prompt words too): `#cached=N`, `#reasoning=N`, `#length=N`.
 */
export const VOCABULARY = [
    'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel',
    'india', 'juliet', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa',
    'quebec', 'romeo', 'sierra', 'tango', 'uniform', 'victor', 'whiskey', 'xray',
    'yankee', 'zulu', 'amber', 'basalt', 'cobalt', 'dune', 'ember', 'fjord',
    'garnet', 'harbor', 'iris', 'jade', 'kelp', 'lagoon', 'meadow', 'nectar',
    'onyx', 'pebble', 'quartz', 'river', 'saffron', 'tundra', 'umber', 'valley',
    'willow', 'xenon', 'yarrow', 'zephyr', 'acorn', 'birch', 'cedar', 'dahlia',
    'elm', 'fern', 'ginger', 'hazel', 'ivy', 'juniper', 'laurel', 'maple',
] as const;

export interface Directives {
    cached?: number;
    reasoning?: number;
    length?: number;
}

const DIRECTIVE = /#(cached|reasoning|length)=(\d+)/g;

export function countWords(text: string): number {
    return text.split(/\s+/).filter((w) => w !== '').length;
}

/** Prompt tokens as the engine reports them: words, but never fewer than 1 (a real prompt has at least BOS). */
export function promptTokens(text: string): number {
    return Math.max(1, countWords(text));
}

/** The first occurrence of each directive wins. */
export function directives(text: string): Directives {
    const found: Directives = {};
    for (const [, name, value] of text.matchAll(DIRECTIVE)) {
        const key = name as keyof Directives;
        if (found[key] === undefined) found[key] = Number(value);
    }
    return found;
}

/** The first `count` words of the answer to `prompt` (with `seed`, if given). */
export function answerWords(prompt: string, seed: number | undefined, count: number): string[] {
    const key = createHash('sha256').update(JSON.stringify([prompt, seed ?? null])).digest();
    const words: string[] = [];
    for (let block = 0; words.length < count; block++) {
        const index = Buffer.alloc(4);
        index.writeUInt32BE(block);
        for (const byte of createHash('sha256').update(key).update(index).digest()) {
            if (words.length === count) break;
            words.push(VOCABULARY[byte % VOCABULARY.length]);
        }
    }
    return words;
}
