import { fromNano } from '@ton/core';
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Browser } from 'puppeteer-core';
import { readClientContract, readProxyContract, readWorkerContract } from '../../offchain/chain/cocoon/contracts';
import { devnetSeed } from '../../offchain/chain/cocoon/keys';
import { LOCAL_PRICES, startNetwork, type LocalNetwork } from '../../offchain/cli/up/network';
import type { ChainActionResult } from '../../offchain/client';
import type { SettleReport } from '../../offchain/proxy/settlement';
import { proxyPage, type WorkerView } from '../../offchain/proxy/statusPage';
import { Html, startOpsServer, statusPage, createMetrics } from '../../offchain/runtime';
import { launchBrowser, loadPage, type LoadedPage } from '../helpers/browser';

const ton = (nano: bigint) => `${fromNano(nano)} TON`;
/** Screenshots go to a temporary folder, or to COCOON_SCREENSHOT_DIR to keep them (docs/images/status-proxy.webp is one, as WebP). */
const keep = process.env.COCOON_SCREENSHOT_DIR;

/**
 * Each service's status page at `/`, loaded in a real headless Chromium: the local network serves two requests and
 * settles them on-chain, then every page must show, as a person reads it, the exact token counts, balances, tokens
 * paid, settlement transaction hashes and outbox counts, with no script, no request beyond the page, no CSP
 * violation and no secret.
 */
describe('the status pages in a browser', () => {
    let browser: Browser;
    let net: LocalNetwork;
    let dir: string;
    const logs: string[] = [];

    beforeAll(async () => {
        dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cocoon-status-pages-'));
        // one save-state at start and one per settlement: the outboxes hold exactly what the test did
        [browser, net] = await Promise.all([
            launchBrowser(),
            startNetwork({ clientPort: 0, progress: () => {}, logSink: (l) => logs.push(l), saveStateSeconds: 3600 }),
        ]);
    }, 120_000);
    afterAll(async () => {
        await browser?.close();
        await net?.stop();
        if (!keep && dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    async function open(name: string, url: string): Promise<LoadedPage> {
        const file = path.join(dir, `status-${name}.png`);
        const page = await loadPage(browser, url, file);
        expect(page.status).toBe(200);
        expect(page.errors).toEqual([]);
        expect(page.subrequests).toEqual([]);
        expect(page.html).not.toContain('<script');
        // a PNG of the whole page at the viewport's width
        const png = fs.readFileSync(file);
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        expect(png.readUInt32BE(16)).toBe(1400);
        for (const secret of [...['proxy', 'worker', 'client'].map((r) => devnetSeed(`up-${r}`).toString('hex')), 'local-network-client-secret']) {
            expect(page.html).not.toContain(secret);
        }
        return page;
    }

    /** The line of the page's text that holds `key` (a table row: its cells joined by tabs). */
    const line = (page: LoadedPage, key: string) => page.text.split('\n').filter((l) => l.includes(key));

    /** A delivered message's row in an outbox table: created, intent, value, state, outcome, exit code, both hashes, no reason. */
    const outboxLine = (intent: string, value: string, walletTx: string, tx: string) => {
        const created = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';
        return expect.stringMatching(new RegExp(`^${created}\t${intent}\t${value.replace('.', '\\.')}\tconfirmed\tdelivered\t0\t${walletTx}\t${tx}\t—$`));
    };
    const twice = <T>(x: T) => [x, x];

    let total: bigint;
    let settled: SettleReport;
    let topUp: ChainActionResult;
    let depositBefore: bigint;

    it('serves two requests, settles them and tops the client up (the figures the pages must show)', async () => {
        depositBefore = (await readClientContract(net.chain, net.clientContract)).balance;
        const ask = (content: string, max_tokens: number) =>
            net.client.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content }], max_tokens });
        await ask('first status question', 5);
        await ask('second one', 8);
        const receipts = net.client.client.receipts();
        // prompt 3 + completion 5, then prompt 2 + completion 8, at ×1
        expect(receipts.map((r) => r.tokens.total)).toEqual([8, 10]);
        total = 18n;
        settled = await net.proxy.settle();
        expect(settled.charges.map((c) => [c.tokens, c.outcome])).toEqual([['18', 'delivered']]);
        expect(settled.payouts.map((c) => [c.tokens, c.outcome])).toEqual([['18', 'delivered']]);
        topUp = await net.client.client.topUp('1');
        expect(topUp.outcome).toBe('delivered');
    });

    it("the proxy's page: state, worker, client tokens, balances, settlement hashes, outbox counts", async () => {
        const proxyState = await readProxyContract(net.chain, net.proxyContract);
        expect(proxyState.balance).toBe(total * (LOCAL_PRICES.pricePerToken - LOCAL_PRICES.workerFeePerToken));
        const wallet = (await net.chain.getAccount(net.proxy.walletAddress)).balance;
        const page = await open('proxy', `http://127.0.0.1:${net.proxy.ports.ops}/`);
        expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-/);
        expect(page.text).toContain('state\nserving');
        expect(page.text).toContain('connected workers\n1');
        expect(page.text).toContain('connected clients\n1');
        const w = net.workerContract.toRawString();
        // two requests, both served; the reputation figures (timing-dependent) as /status has them, where the proxy keeps them
        const r = (net.proxy.status().workers[0] as WorkerView).reputation;
        const reputation = r ? [`${r.score} / 10000`, r.ttftP50Ms ?? '—', r.tokensPerSecondP50 ?? '—', `${r.windowSeconds} s`] : ['—', '—', '—', '—'];
        const running = `0 / ${net.worker.config.maxActiveRequests}`;
        expect(line(page, `\t${w}\t`)).toEqual([[1, net.model, w, 1000, 'enabled', running, 2, 2, 0, ...reputation].join('\t')]);
        // worker account and client account: 18 tokens accounted, committed, and paid / charged on-chain
        expect(line(page, `${w}\t${net.model}`)).toEqual([`${w}\t${net.model}\t18\t18\t18\t18`]);
        const c = net.clientContract.toRawString();
        const client = await readClientContract(net.chain, net.clientContract);
        expect(client.balance).toBe(depositBefore + 1_000_000_000n - total * LOCAL_PRICES.pricePerToken);
        expect(line(page, `${c}\tyes`)).toEqual([expect.stringMatching(new RegExp(`^${c}\tyes\t18\t18\t18\t18\t0\t\\d+\t[0-9.]+ TON\t${fromNano(client.stake)} TON\tnormal$`))]);
        expect(line(page, 'proxy wallet')).toEqual([`proxy wallet\t${net.proxy.walletAddress.toRawString()}\t${ton(wallet)}\t—`]);
        expect(page.text).toContain(`earnings\n${ton(proxyState.balance)}\nstake\n${ton(proxyState.stake)}`);
        // each in the settlements and among the outbox's newest messages
        for (const m of [...settled.charges, ...settled.payouts]) {
            expect(line(page, m.tx!)).toEqual(twice(outboxLine(m.intent, '0.2 TON', m.walletTx!, m.tx!)));
        }
        // deploy, the save-states at start and at the settlement, the charge and the payout
        expect(page.text).toContain('queued\n0\nsent\n0\nconfirmed\n5\nfailed\n0\npending\n0');
    });

    it("the worker's page: its proxy connection, tokens earned and paid, balances, outbox", async () => {
        const workerState = await readWorkerContract(net.chain, net.workerContract);
        expect(workerState.tokens).toBe(total);
        const wallet = (await net.chain.getAccount(net.worker.walletAddress)).balance;
        const page = await open('worker', `${net.worker.opsUrl}/`);
        expect(page.text).toContain('engine health\nhealthy');
        expect(page.text).toContain('proxies enabled\n1 of 1');
        const p = net.proxyContract.toRawString();
        const endpoint = `127.0.0.1:${net.proxy.ports.workers}`;
        expect(line(page, `\tready\t`)).toEqual([`${endpoint}\tready\tyes\t${p}\t${net.workerContract.toRawString()}\t0\t—`]);
        expect(line(page, `${p}\t18`)).toEqual([expect.stringMatching(new RegExp(`^${p}\t18\t18\t18\t`))]);
        expect(line(page, 'worker wallet')).toEqual([`worker wallet\t${net.worker.walletAddress.toRawString()}\t${ton(wallet)}\t—`]);
        expect(page.text).toContain('tokens paid\n18');
        expect(page.text).toContain('no settlements yet');
        // the worker contract's deployment with its registration
        expect(page.text).toContain('queued\n0\nsent\n0\nconfirmed\n1\nfailed\n0\npending\n0');
    });

    it("the client's page: connection, receipts with exact tokens, deposit, the top-up's hash, outbox", async () => {
        const client = await readClientContract(net.chain, net.clientContract);
        const wallet = (await net.chain.getAccount(net.client.client.wallet)).balance;
        const page = await open('client', `${net.client.url}/`);
        expect(page.text).toContain('connection\nconnected');
        const receipts = net.client.client.receipts();
        for (const r of receipts) {
            const t = r.tokens;
            const cells = [r.requestId, t.prompt, 0, t.completion, 0, t.total, 1000, ton(BigInt(r.cost)), r.clientTotal];
            expect(line(page, r.requestId)).toEqual([expect.stringMatching(new RegExp(`^\\S+\t${cells.join('\t').replace(/\./g, '\\.')}$`))]);
        }
        expect(page.text).toContain(`deposit\n${ton(client.balance)}\nstake\n${ton(client.stake)}\ntokens charged\n18`);
        expect(line(page, 'client wallet')).toEqual([`client wallet\t${net.client.client.wallet.toRawString()}\t${ton(wallet)}\t—`]);
        // the top-up of 1 TON carries 0.1 TON of commission and 0.02 of margin
        expect(line(page, topUp.destinationTx!)).toEqual(twice(outboxLine(topUp.intent, '1.12 TON', topUp.walletTx!, topUp.destinationTx!)));
        // deployment with the deposit, the registration and the top-up
        expect(page.text).toContain('queued\n0\nsent\n0\nconfirmed\n3\nfailed\n0\npending\n0');
    });

    it('shows hostile text as text, and the CSP stops a script that slipped into the markup', async () => {
        const status = net.proxy.status();
        const hostile = { ...status, refusal: { reason: '<script>document.title="pwned"</script>' } };
        const slipped = statusPage('slipped', [Html.trusted('<script>document.title="pwned"</script><p>still here</p>')]);
        const pages = [proxyPage(hostile, []), slipped];
        const server = await startOpsServer({ port: 0, ops: { health: () => ({ ok: true }), status: () => ({}), metrics: createMetrics('t').registry, page: () => pages[0] } });
        try {
            const escaped = await loadPage(browser, `${server.url}/`);
            expect(escaped.text).toContain('refusal\n<script>document.title="pwned"</script>');
            expect(escaped.errors).toEqual([]);
            pages.shift();
            const blocked = await loadPage(browser, `${server.url}/`);
            expect(blocked.text).toContain('still here');
            expect(blocked.html).toContain('<title>slipped</title>');
            expect(blocked.errors).toEqual([expect.stringContaining("Executing inline script violates the following Content Security Policy directive 'default-src 'none''")]);
        } finally {
            await server.close();
        }
    });
});
