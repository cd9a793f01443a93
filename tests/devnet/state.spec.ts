import { Address, toNano } from '@ton/core';
import { TonClient } from '@ton/ton';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { requestFaucet } from '../../offchain/chain/faucet';
import { DevnetStateError } from '../../offchain/devnet';
import { DevnetClock } from '../../offchain/devnet/clock';
import { health, startTestDevnet } from './helpers';
import { transferV4, v4 } from './wallets';

/** Which block each transaction is in, for blocks 1..last, through TonClient's shard API. */
async function blockMap(client: TonClient, last: number): Promise<Record<string, number>> {
    const map: Record<string, number> = {};
    for (let seqno = 1; seqno <= last; seqno++) {
        for (const t of await client.getShardTransactions(0, seqno, '-9223372036854775808')) map[t.lt] = seqno;
    }
    return map;
}

describe('devnet state file', () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devnet-state-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('restarts from its saved state with contracts, balances and history intact', async () => {
        const statePath = path.join(dir, 'chain.json');
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
        expect(fs.existsSync(statePath)).toBe(true);

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

    it('starts fresh when the state file does not exist yet', async () => {
        const { devnet } = await startTestDevnet({ statePath: path.join(dir, 'new.json') });
        expect((await health(devnet)).transactions).toBe(0);
        await devnet.stop();
        expect(JSON.parse(fs.readFileSync(path.join(dir, 'new.json'), 'utf8')).format).toBe('cocoon-devnet-state');
    });

    it('refuses a damaged or foreign state file with a clear error', async () => {
        const bad = path.join(dir, 'bad.json');
        fs.writeFileSync(bad, '{"format":');
        await expect(startTestDevnet({ statePath: bad })).rejects.toThrow(DevnetStateError);
        await expect(startTestDevnet({ statePath: bad })).rejects.toThrow(`devnet state ${bad}: invalid JSON at line 1, column 11: unexpected end of input`);
        fs.writeFileSync(bad, JSON.stringify({ format: 'something-else', version: 1 }));
        await expect(startTestDevnet({ statePath: bad })).rejects.toThrow(`${bad} is not a devnet state file (no "format": "cocoon-devnet-state")`);
        fs.writeFileSync(bad, JSON.stringify({ format: 'cocoon-devnet-state', version: 1, ledger: { now: 1, blockSeqno: 1, blockchain: { contracts: [{ address: 'x' }] }, transactions: [] } }));
        await expect(startTestDevnet({ statePath: bad })).rejects.toThrow(new RegExp(`^cannot restore devnet state from ${bad}: `));
        fs.writeFileSync(bad, JSON.stringify({ format: 'cocoon-devnet-state', version: 9 }));
        await expect(startTestDevnet({ statePath: bad })).rejects.toThrow(`devnet state ${bad} is not version 1, the only version this devnet reads`);
    });

    it('refuses a state file in a missing folder, a device, and binary garbage (quoted escaped, not raw)', async () => {
        const lost = path.join(dir, 'no-such-folder', 'chain.json');
        await expect(startTestDevnet({ statePath: lost })).rejects.toThrow(new DevnetStateError(`devnet state ${lost}: folder ${path.dirname(lost)} does not exist`));
        expect(fs.existsSync(path.dirname(lost))).toBe(false);
        await expect(startTestDevnet({ statePath: '/dev/zero' })).rejects.toThrow(new DevnetStateError('devnet state /dev/zero is not a regular file'));
        const binary = path.join(dir, 'binary.json');
        fs.writeFileSync(binary, Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x00]));
        await expect(startTestDevnet({ statePath: binary })).rejects.toThrow(
            new DevnetStateError(`devnet state ${binary}: invalid JSON at line 1, column 1: unexpected character "\\u001b"`),
        );
    });

    it('autosaves while running when something changed', async () => {
        const statePath = path.join(dir, 'auto.json');
        const { devnet } = await startTestDevnet({ statePath, autosaveMs: 50 });
        try {
            await requestFaucet(devnet.endpoint, Address.parse('0:' + 'e2'.repeat(32)), 5n);
            for (let i = 0; i < 250 && !fs.existsSync(statePath); i++) await new Promise((r) => setTimeout(r, 20));
            const saved = JSON.parse(fs.readFileSync(statePath, 'utf8'));
            expect(saved.ledger.transactions).toHaveLength(1);
        } finally {
            await devnet.stop();
        }
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
