import { TestEngine } from '../../offchain/engine';

export async function post(engine: TestEngine, path: string, body: unknown): Promise<{ status: number; headers: Headers; text: string }> {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(engine.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    return { status: res.status, headers: res.headers, text: await res.text() };
}

export async function postJson(engine: TestEngine, path: string, body: unknown): Promise<{ status: number; json: any }> {
    const { status, text } = await post(engine, path, body);
    return { status, json: JSON.parse(text) };
}

/** Splits an SSE body into its `data:` payloads, checking the framing: every event is exactly `data: ...\n\n`. */
export function sseData(text: string): string[] {
    expect(text.endsWith('\n\n')).toBe(true);
    const events = text.slice(0, -2).split('\n\n');
    for (const e of events) expect(e).toMatch(/^data: [^\n]+$/);
    return events.map((e) => e.slice('data: '.length));
}

export async function streamEvents(engine: TestEngine, path: string, body: Record<string, unknown>): Promise<{ events: any[]; done: boolean }> {
    const { status, headers, text } = await post(engine, path, { ...body, stream: true });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^text\/event-stream/);
    const data = sseData(text);
    const done = data[data.length - 1] === '[DONE]';
    return { events: (done ? data.slice(0, -1) : data).map((d) => JSON.parse(d)), done };
}

export const chat = (content: string, extra: Record<string, unknown> = {}) => ({ model: 'test-model', messages: [{ role: 'user', content }], ...extra });
