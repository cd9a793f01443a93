import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * A real headless Chromium, shipped in the npm package @sparticuz/chromium (unpacked to /tmp on first use, nothing
 * downloaded) and driven by puppeteer-core. The package's flags for serverless use that weaken the browser's checks
 * are dropped, so a page is tested under the same CSP and origin rules a desktop browser applies; the browser is told
 * not to call home (this machine's network is closed).
 */
const WEAKENING = new Set(['--disable-web-security', '--allow-running-insecure-content', '--disable-site-isolation-trials']);
const QUIET = ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export async function launchBrowser(): Promise<Browser> {
    const args = chromium.args.filter((a) => !WEAKENING.has(a));
    for (const flag of QUIET) if (!args.includes(flag)) args.push(flag);
    return puppeteer.launch({ executablePath: await chromium.executablePath(), args, headless: true });
}

export interface LoadedPage {
    status: number;
    headers: Record<string, string>;
    /** What a person sees: `document.body.innerText`. */
    text: string;
    html: string;
    /** Console messages of level error, CSP violations included. */
    errors: string[];
    /** Requests the page made besides the document itself. */
    subrequests: string[];
}

/** Loads `url` in a fresh tab, optionally saves a full-page PNG screenshot, and reports what the page showed and did. */
export async function loadPage(browser: Browser, url: string, screenshot?: string): Promise<LoadedPage> {
    const page = await browser.newPage();
    try {
        const errors: string[] = [];
        const subrequests: string[] = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        page.on('request', (r) => r.url() !== url && subrequests.push(r.url()));
        await page.setViewport({ width: 1400, height: 900 });
        const response = await page.goto(url, { waitUntil: 'load', timeout: 20_000 });
        if (!response) throw new Error(`no response for ${url}`);
        if (screenshot) await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
        return {
            status: response.status(),
            headers: response.headers(),
            text: (await page.evaluate('document.body.innerText')) as string,
            html: await page.content(),
            errors,
            subrequests,
        };
    } finally {
        await page.close();
    }
}
