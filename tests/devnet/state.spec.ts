import { Address, Cell, internal, loadShardAccount, SendMode, toNano } from '@ton/core';
import { Blockchain, BlockchainTransaction, internal as sandboxInternal, snapshotToSerializable } from '@ton/sandbox';
import { TonClient, WalletContractV4 } from '@ton/ton';
import Database from 'better-sqlite3';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { requestFaucet } from '../../offchain/chain/faucet';
import { DevnetStateError, FAUCET_ADDRESS } from '../../offchain/devnet';
import { DevnetClock } from '../../offchain/devnet/clock';
import { health, rawCall, startCli, startTestDevnet } from './helpers';
import { testKey, transferV4, v4 } from './wallets';

/** Which block each transaction is in, for blocks 1..last, through TonClient's shard API. */
async function blockMap(client: TonClient, last: number): Promise<Record<string, number>> {
    const map: Record<string, number> = {};
    for (let seqno = 1; seqno <= last; seqno++) {
        for (const t of await client.getShardTransactions(0, seqno, '-9223372036854775808')) map[t.lt] = seqno;
    }
    return map;
}

/**
 * A state file as devnets wrote it before the SQLite store (JSON, format cocoon-devnet-state version 1): the
 * sandbox's snapshot without its own history or empty accounts, the devnet's transactions with their blocks, the
 * clock and the block counter. Here a V4 wallet funded from the faucet address (block 2) sent one transfer (block 3).
 */
async function writeLegacyState(file: string): Promise<{ balance: bigint; walletHashes: string[]; blocks: Record<string, number> }> {
    const chain = await Blockchain.create();
    chain.now = Math.floor(Date.now() / 1000);
    const key = testKey('legacy-wallet');
    const wallet = chain.openContract(WalletContractV4.create({ workchain: 0, publicKey: key.publicKey }));
    const transactions: { address: string; boc: string; block: number }[] = [];
    const blocks: Record<string, number> = {};
    const record = (block: number, txs: BlockchainTransaction[]) => {
        for (const t of txs) {
            transactions.push({ address: (t.inMessage!.info.dest as Address).toRawString(), boc: t.raw.toBoc().toString('base64'), block });
            blocks[t.lt.toString()] = block;
        }
    };
    record(2, (await chain.sendMessage(sandboxInternal({ from: FAUCET_ADDRESS, to: wallet.address, value: toNano('10'), bounce: false }))).transactions);
    const transfer = await wallet.sendTransfer({ seqno: 0, secretKey: key.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [internal({ to: Address.parse('0:' + 'e3'.repeat(32)), value: toNano('1'), bounce: false })] });
    record(3, transfer.transactions);
    const blockchain = snapshotToSerializable(chain.snapshot());
    blockchain.contracts = blockchain.contracts.filter((c) => loadShardAccount(Cell.fromBase64(c.account).beginParse()).account);
    blockchain.transactions = [];
    const ledger = { now: chain.now, blockSeqno: 3, blockchain, transactions };
    fs.writeFileSync(file, JSON.stringify({ format: 'cocoon-devnet-state', version: 1, savedAt: new Date().toISOString(), ledger }));
    const walletHashes = transactions.filter((t) => t.address === wallet.address.toRawString()).map((t) => Cell.fromBase64(t.boc).hash().toString('hex')).reverse();
    return { balance: await wallet.getBalance(), walletHashes, blocks };
}

describe('devnet state file', () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devnet-state-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('restarts from its saved state with contracts, balances and history intact', async () => {
        const statePath = path.join(dir, 'chain.db');
        const to = Address.parse('0:' + 'e1'.repeat(32));
        const first = await startTestDevnet({ statePath });
        const w = v4(first.client, 'state-wallet');
        await requestFaucet(first.devnet.endpoint, w.wallet.address, toNano('10'));
        await transferV4(w, to, toNano('1'));
        const balance = await w.wallet.getBalance();
        const history = await first.client.getTransactions(w.wallet.address, { limit: 10 });
        const before = await health(first.devnet);
        const blocksBefore = await blockMap(first.client, before.block_seqno);
        expect(Object.keys(blocksBefore)).toHaveLength(3);
        await first.devnet.stop();

        const second = await startTestDevnet({ statePath });
        try {
            const w2 = v4(second.client, 'state-wallet');
            expect(await w2.wallet.getSeqno()).toBe(1);
            expect(await w2.wallet.getBalance()).toBe(balance);
            expect(await second.client.getBalance(to)).toBe(toNano('1'));
            const restored = await second.client.getTransactions(w2.wallet.address, { limit: 10 });
            expect(restored.map((t) => t.hash().toString('hex'))).toEqual(history.map((t) => t.hash().toString('hex')));
            const after = await health(second.devnet);
            expect(after.block_seqno).toBeGreaterThanOrEqual(before.block_seqno);
            expect(after.transactions).toBe(before.transactions);
            expect(after.now).toBeGreaterThanOrEqual(before.now);
            expect(await blockMap(second.client, before.block_seqno)).toEqual(blocksBefore);
            expect(second.logs[0]).toBe(`devnet: restored 3 transactions from ${statePath}`);

            // the chain goes on: new transactions get later lts than the restored ones
            await transferV4(w2, to, toNano('1'));
            const [latest] = await second.client.getTransactions(w2.wallet.address, { limit: 1 });
            expect(latest.lt > history[0].lt).toBe(true);
            expect(await w2.wallet.getSeqno()).toBe(2);
        } finally {
            await second.devnet.stop();
        }
    });

    it('after many transfers restarts to the same chain: balances, every page of every history, message lookups, blocks, and the same lts going on', async () => {
        const statePath = path.join(dir, 'chain.db');
        const to = Address.parse('0:' + 'e4'.repeat(32));
        const ROUNDS = 6;
        // the same transfers on a devnet that never restarts: the stored one must go on with exactly its lts
        const twin = await startTestDevnet();
        const stored = await startTestDevnet({ statePath });
        const run = async (d: typeof twin, rounds: number) => {
            const wallets = ['many-a', 'many-b', 'many-c'].map((n) => v4(d.client, n));
            for (const w of wallets) if ((await w.wallet.getSeqno()) === 0) await requestFaucet(d.devnet.endpoint, w.wallet.address, toNano('10'));
            for (let i = 0; i < rounds; i++) for (const w of wallets) await transferV4(w, i % 2 ? to : wallets[0].wallet.address, toNano('0.01'));
            return wallets;
        };
        const snapshot = async (d: typeof twin, wallets: ReturnType<typeof v4>[]) => {
            const accounts = [...wallets.map((w) => w.wallet.address), to];
            const histories = [];
            for (const a of accounts) {
                const pages: string[][] = [];
                for await (const page of d.chain.pagesSince(a, undefined, 4)) pages.push(page.map((t) => `${t.lt}:${t.hash().toString('hex')}`));
                histories.push({ balance: await d.client.getBalance(a), pages });
            }
            // every internal message found from both ends: the result on the receiver, the source on the sender
            const located: string[] = [];
            for (const t of await d.chain.getTransactions(to, { limit: 100 })) {
                const info = t.inMessage!.info;
                if (info.type !== 'internal') continue;
                const q = `source=${info.src.toString()}&destination=${info.dest.toString()}&created_lt=${info.createdLt}`;
                const result = (await rawCall(`${d.devnet.baseUrl}/api/v2/tryLocateResultTx?${q}`)).body.result;
                const source = (await rawCall(`${d.devnet.baseUrl}/api/v2/tryLocateSourceTx?${q}`)).body.result;
                located.push(`${result.transaction_id.lt}<-${source.transaction_id.lt}`);
            }
            return { histories, located, seqnos: await Promise.all(wallets.map((w) => w.wallet.getSeqno())) };
        };
        try {
            await run(twin, ROUNDS);
            const wallets = await run(stored, ROUNDS);
            const before = await snapshot(stored, wallets);
            expect(before.seqnos).toEqual([ROUNDS, ROUNDS, ROUNDS]);
            expect(before.located).toHaveLength(9);
            expect(before.histories[3].pages.flat()).toHaveLength(9);
            const blocksBefore = await blockMap(stored.client, (await health(stored.devnet)).block_seqno);
            const count = (await health(stored.devnet)).transactions;
            expect(count).toBe(3 + ROUNDS * 3 * 2);
            await stored.devnet.stop();

            const again = await startTestDevnet({ statePath });
            try {
                expect(again.logs).toEqual([`devnet: restored ${count} transactions from ${statePath}`]);
                const walletsAgain = ['many-a', 'many-b', 'many-c'].map((n) => v4(again.client, n));
                expect(await snapshot(again, walletsAgain)).toEqual(before);
                expect(await blockMap(again.client, Math.max(...Object.values(blocksBefore)))).toEqual(blocksBefore);

                // the chain goes on where it stopped: the same lts as on the devnet that never stopped
                await run(twin, 2);
                await run(again, 2);
                const lts = async (d: typeof twin) => (await d.chain.getTransactions(to, { limit: 100 })).map((t) => t.lt);
                expect(await lts(again)).toEqual(await lts(twin));
                expect(await Promise.all(walletsAgain.map((w) => w.wallet.getSeqno()))).toEqual([ROUNDS + 2, ROUNDS + 2, ROUNDS + 2]);
                expect((await health(again.devnet)).transactions).toBe(count + 2 * 3 * 2);
            } finally {
                await again.devnet.stop();
            }
        } finally {
            await twin.devnet.stop();
        }
    }, 120_000);

    it('killed mid-load loses nothing it answered and reopens to a consistent chain', async () => {
        const statePath = path.join(dir, 'crash.db');
        const { child, endpoint } = await startCli(['--port', '0', '--quiet', '--state', statePath]);
        const client = new TonClient({ endpoint });
        const wallets = ['crash-a', 'crash-b', 'crash-c', 'crash-d'].map((n) => v4(client, n));
        const answered = wallets.map(() => 0);
        const exited = new Promise((resolve) => child.on('exit', resolve));
        try {
            for (const w of wallets) await requestFaucet(endpoint, w.wallet.address, toNano('10'));
            const to = Address.parse('0:' + 'e5'.repeat(32));
            let killed = false;
            const load = wallets.map(async (w, i) => {
                for (let seqno = 0; !killed; seqno++) {
                    await w.wallet.sendTransfer({ seqno, secretKey: w.key.secretKey, sendMode: SendMode.PAY_GAS_SEPARATELY, messages: [internal({ to, value: 1000n, bounce: false })] });
                    answered[i]++;
                }
            });
            while (answered.reduce((a, b) => a + b) < 12) await new Promise((r) => setTimeout(r, 10));
            killed = true;
            child.kill('SIGKILL');
            await Promise.allSettled(load);
        } finally {
            child.kill('SIGKILL');
            await exited;
        }

        const again = await startTestDevnet({ statePath });
        try {
            for (const [i, w] of wallets.entries()) {
                const seqno = await v4(again.client, `crash-${'abcd'[i]}`).wallet.getSeqno();
                // answered means committed; a transfer committed just before the kill may not have been answered yet
                expect(seqno).toBeGreaterThanOrEqual(answered[i]);
                expect(seqno).toBeLessThanOrEqual(answered[i] + 1);
                // the account and its history come from the same commit: one external transaction per seqno step
                const history = await again.chain.getTransactions(w.wallet.address, { limit: 1000 });
                expect(history.filter((t) => t.inMessage?.info.type === 'external-in')).toHaveLength(seqno);
            }
        } finally {
            await again.devnet.stop();
        }
    }, 60_000);

    it('starts fresh when the state file does not exist yet, and writes a devnet store there', async () => {
        const file = path.join(dir, 'new.db');
        const { devnet } = await startTestDevnet({ statePath: file });
        expect((await health(devnet)).transactions).toBe(0);
        await devnet.stop();
        expect(fs.readFileSync(file).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
        expect(fs.readFileSync(file).readUInt32BE(68)).toBe(0x43444e54);
    });

    it('migrates an old JSON state file once, in its place, to the same chain', async () => {
        const file = path.join(dir, 'devnet.json');
        const legacy = await writeLegacyState(file);
        const first = await startTestDevnet({ statePath: file });
        try {
            expect(first.logs).toEqual([`devnet: migrated the JSON state file ${file} to a devnet store (SQLite) in its place`, `devnet: restored 3 transactions from ${file}`]);
            const w = v4(first.client, 'legacy-wallet');
            expect(await w.wallet.getBalance()).toBe(legacy.balance);
            expect(await w.wallet.getSeqno()).toBe(1);
            const history = await first.client.getTransactions(w.wallet.address, { limit: 10 });
            expect(history.map((t) => t.hash().toString('hex'))).toEqual(legacy.walletHashes);
            expect(await blockMap(first.client, 3)).toEqual(legacy.blocks);
            await transferV4(w, w.wallet.address, toNano('1'));
            const [latest] = await first.client.getTransactions(w.wallet.address, { limit: 1 });
            expect(latest.lt > history[0].lt).toBe(true);
        } finally {
            await first.devnet.stop();
        }
        expect(fs.readFileSync(file).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
        expect(fs.readdirSync(dir)).toEqual(['devnet.json']);
        const second = await startTestDevnet({ statePath: file });
        await second.devnet.stop();
        expect(second.logs).toEqual([`devnet: restored 5 transactions from ${file}`]);
    });

    it('refuses a damaged or foreign state file with a clear error, and leaves it as it was', async () => {
        const bad = path.join(dir, 'bad.json');
        fs.writeFileSync(bad, '{"format":');
        await expect(startTestDevnet({ statePath: bad })).rejects.toThrow(new DevnetStateError(`devnet state ${bad}: invalid JSON at line 1, column 11: unexpected end of input`));
        fs.writeFileSync(bad, JSON.stringify({ format: 'something-else', version: 1 }));
        await expect(startTestDevnet({ statePath: bad })).rejects.toThrow(new DevnetStateError(`${bad} is not a devnet state file (no "format": "cocoon-devnet-state")`));
        const broken = JSON.stringify({ format: 'cocoon-devnet-state', version: 1, ledger: { now: 1, blockSeqno: 1, blockchain: { contracts: [{ address: 'x' }] }, transactions: [] } });
        fs.writeFileSync(bad, broken);
        await expect(startTestDevnet({ statePath: bad })).rejects.toThrow(new DevnetStateError(`cannot restore devnet state from ${bad}: Unknown address type: x`));
        expect(fs.readFileSync(bad, 'utf8')).toBe(broken);
        expect(fs.readdirSync(dir)).toEqual(['bad.json']);
        fs.writeFileSync(bad, JSON.stringify({ format: 'cocoon-devnet-state', version: 9 }));
        await expect(startTestDevnet({ statePath: bad })).rejects.toThrow(new DevnetStateError(`devnet state ${bad} is not version 1, the only JSON version this devnet reads`));

        const other = path.join(dir, 'proxy.db');
        const db = new Database(other);
        db.exec('CREATE TABLE t (x)');
        db.close();
        await expect(startTestDevnet({ statePath: other })).rejects.toThrow(new DevnetStateError(`devnet state ${other} is a SQLite database but not a devnet store`));
        expect(new Database(other).prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['t']);
    });

    it('refuses a state file in a missing folder, a device, and a file of another kind', async () => {
        const lost = path.join(dir, 'no-such-folder', 'chain.db');
        await expect(startTestDevnet({ statePath: lost })).rejects.toThrow(new DevnetStateError(`devnet state ${lost}: folder ${path.dirname(lost)} does not exist`));
        expect(fs.existsSync(path.dirname(lost))).toBe(false);
        await expect(startTestDevnet({ statePath: '/dev/zero' })).rejects.toThrow(new DevnetStateError('devnet state /dev/zero is not a regular file'));
        const binary = path.join(dir, 'binary.db');
        fs.writeFileSync(binary, Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x00]));
        await expect(startTestDevnet({ statePath: binary })).rejects.toThrow(
            new DevnetStateError(`devnet state ${binary} is neither a devnet store (SQLite) nor an old JSON devnet state file`),
        );
    });

    it('refuses a store another devnet has open', async () => {
        const statePath = path.join(dir, 'shared.db');
        const first = await startTestDevnet({ statePath });
        try {
            await expect(startTestDevnet({ statePath })).rejects.toThrow(new DevnetStateError(`devnet state ${statePath} is in use by another devnet`));
            await requestFaucet(first.devnet.endpoint, Address.parse('0:' + 'e6'.repeat(32)), 5n);
        } finally {
            await first.devnet.stop();
        }
        const second = await startTestDevnet({ statePath });
        await second.devnet.stop();
        expect(second.logs).toEqual([`devnet: restored 1 transactions from ${statePath}`]);
    });
});

describe('devnet clock', () => {
    it('follows wall time times the speed factor and never goes back', () => {
        let wall = 1_700_000_000_000;
        const clock = new DevnetClock(10, 0, () => wall);
        expect(clock.now()).toBe(1_700_000_000);
        wall += 1500;
        expect(clock.now()).toBe(1_700_000_015);
        wall -= 1000; // wall clock stepped back
        expect(clock.now()).toBe(1_700_000_015);
    });

    it('starts no earlier than a restored time', () => {
        const clock = new DevnetClock(1, 1_800_000_000, () => 1_700_000_000_000);
        expect(clock.now()).toBe(1_800_000_000);
    });

    it('rejects a non-positive speed', () => {
        expect(() => new DevnetClock(0)).toThrow('clock speed must be a positive number, got 0');
    });
});
