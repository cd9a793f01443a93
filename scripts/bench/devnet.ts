/**
 * `npm run bench:devnet`: throughput and latency of the local devnet, measured through its HTTP API exactly as
 * clients use it, with the devnet in its own process (`cocoon devnet --quiet`) as in real use. (1) Wallet transfers: 16 V4 wallets sending in parallel, each transfer signed and sent with
 * TonClient. (2) Client-charge flow: a root, a proxy and 8 client contracts deployed, then signed charges submitted
 * by 8 wallets in parallel (wallet → client → proxy notice + excess). (3) runGetMethod latency for a wallet's
 * `seqno` and a client's `get_cocoon_client_data` (a Tact struct getter). Each phase is bounded by time.
 */
import { Address, Cell, contractAddress, internal, SendMode, StateInit, toNano } from '@ton/core';
import { KeyPair, keyPairFromSeed } from '@ton/crypto';
import { TonClient, WalletContractV4 } from '@ton/ton';
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import { join } from 'path';
import { ChainClient } from '../../offchain/chain/client';
import { readClientContract } from '../../offchain/chain/cocoon';
import { requestFaucet } from '../../offchain/chain/faucet';
import { devnetParams } from '../../offchain/devnet/cocoonDefaults';
import { clientStateInit, proxyStateInit } from '../../wrappers/addresses';
import { clientMessages } from '../../wrappers/client';
import { rootFromInit } from '../../wrappers/root';
import { signEnvelope } from '../../wrappers/signing';

const SECONDS = 5;
const key = (name: string): KeyPair => keyPairFromSeed(createHash('sha256').update(`bench-devnet:${name}`).digest());

/** A funded V4 wallet that tracks its own seqno, so each transfer is one sendBoc. */
/** A `cocoon devnet` child process on a free port. */
async function startDevnet() {
    const child = spawn(process.execPath, [join(__dirname, '../../bin/cocoon.js'), 'devnet', '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const endpoint = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
            out += d;
            const m = /Devnet API: (\S+)/.exec(out);
            if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`cocoon devnet exited with ${code}`)));
    });
    const transactions = async () => {
        const res = await fetch(new URL('/healthz', endpoint));
        return ((await res.json()) as { result: { transactions: number } }).result.transactions;
    };
    return { endpoint, transactions, stop: () => child.kill('SIGTERM') };
}

type DevnetProcess = Awaited<ReturnType<typeof startDevnet>>;

async function wallet(client: TonClient, devnet: DevnetProcess, name: string) {
    const k = key(name);
    const w = client.open(WalletContractV4.create({ workchain: 0, publicKey: k.publicKey }));
    await requestFaucet(devnet.endpoint, w.address, toNano('10000'));
    let seqno = 0;
    return {
        address: w.address,
        send: async (to: Address, value: bigint, body?: Cell, init?: StateInit) => {
            await w.sendTransfer({ seqno: seqno++, secretKey: k.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [internal({ to, value, body, init, bounce: false })] });
        },
    };
}

/** Runs `step` in `parallel` loops for SECONDS; returns steps done, devnet transactions executed and seconds. */
async function timed(devnet: DevnetProcess, parallel: number, step: (lane: number, i: number) => Promise<void>) {
    const tx0 = await devnet.transactions();
    const start = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
    let steps = 0;
    await Promise.all(
        Array.from({ length: parallel }, async (_, lane) => {
            for (let i = 0; elapsed() < SECONDS; i++) {
                await step(lane, i);
                steps++;
            }
        }),
    );
    const seconds = elapsed();
    return { steps, txs: (await devnet.transactions()) - tx0, seconds };
}

async function latency(n: number, call: () => Promise<unknown>) {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
        const t = process.hrtime.bigint();
        await call();
        ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    ms.sort((a, b) => a - b);
    const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))].toFixed(2);
    return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms over ${n} calls`;
}

async function main() {
    const devnet = await startDevnet();
    const client = new TonClient({ endpoint: devnet.endpoint });
    const chain = new ChainClient(devnet.endpoint);
    const rate = (r: { steps: number; txs: number; seconds: number }, what: string) =>
        `${(r.steps / r.seconds).toFixed(1)} ${what}/s, ${(r.txs / r.seconds).toFixed(1)} transactions/s (${r.steps} in ${r.seconds.toFixed(1)} s)`;

    // (1) wallet transfers
    const senders = await Promise.all(Array.from({ length: 16 }, (_, i) => wallet(client, devnet, `transfer-${i}`)));
    for (const s of senders) await s.send(s.address, 1n); // deploy each wallet first
    const target = Address.parse('0:' + '77'.repeat(32));
    const transfers = await timed(devnet, senders.length, (lane) => senders[lane].send(target, 1000n));
    console.log(`wallet transfers (16 wallets in parallel): ${rate(transfers, 'transfers')}`);

    // (2) client-charge flow
    const owner = await wallet(client, devnet, 'owner');
    const p = devnetParams({ pricePerToken: 1000n, workerFeePerToken: 100n });
    const root = await rootFromInit(owner.address, p);
    await owner.send(root.address, toNano('1'), undefined, root.init!);
    const proxyKey = key('proxy');
    const proxyInit = proxyStateInit({ owner: owner.address, proxyPublicKey: proxyKey.publicKey, root: root.address, params: p });
    const proxy = contractAddress(0, proxyInit);
    await owner.send(proxy, toNano('1'), undefined, proxyInit);
    const lanes = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
            const payer = await wallet(client, devnet, `client-${i}`);
            const init = clientStateInit({ owner: payer.address, proxyAddress: proxy, proxyPublicKey: proxyKey.publicKey, params: p });
            const address = contractAddress(0, init);
            await payer.send(address, toNano('1'), undefined, init);
            await payer.send(address, toNano('1000.2'), clientMessages.topUp(1n, toNano('1000'), payer.address));
            return { payer, address, tokens: 0n };
        }),
    );
    const charges = await timed(devnet, lanes.length, async (lane, i) => {
        const l = lanes[lane];
        l.tokens += 10n;
        const body = signEnvelope({ kind: 'charge', queryId: BigInt(i + 1), newTokens: l.tokens, expectedMyAddress: l.address }, proxyKey.secretKey, l.payer.address);
        await l.payer.send(l.address, toNano('0.2'), body);
    });
    for (const l of lanes) {
        const state = await readClientContract(chain, l.address);
        if (state.tokensUsed !== l.tokens) throw new Error(`client ${l.address.toString()} charged ${state.tokensUsed} tokens, expected ${l.tokens}`);
    }
    console.log(`client charges (8 clients in parallel): ${rate(charges, 'charges')}`);

    // (3) get-method latency
    console.log(`runGetMethod wallet seqno: ${await latency(300, () => client.runMethod(senders[0].address, 'seqno'))}`);
    console.log(`runGetMethod get_cocoon_client_data: ${await latency(300, () => chain.runGetMethod(lanes[0].address, 'get_cocoon_client_data'))}`);
    devnet.stop();
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
