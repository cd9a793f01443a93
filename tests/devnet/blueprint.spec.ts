import { Address, toNano } from '@ton/core';
import { mnemonicNew, mnemonicToPrivateKey } from '@ton/crypto';
import { WalletContractV5R1 } from '@ton/ton';
import { spawn } from 'child_process';
import fs from 'fs';
import path from 'path';
import { ChainClient } from '../../offchain/chain/client';
import { RegistryReader } from '../../offchain/chain/cocoon';
import { requestFaucet } from '../../offchain/chain/faucet';
import { Devnet } from '../../offchain/devnet';
import { startTestDevnet } from './helpers';

const ROOT = path.join(__dirname, '..', '..');
const BLUEPRINT = path.join(ROOT, 'node_modules/@ton/blueprint/dist/cli/cli.js');

/**
 * `npx blueprint run <script> --custom <devnet> --custom-version v2 --custom-type testnet --mnemonic` as a child
 * process: Blueprint's own TonClient and mnemonic wallet (V5R1, testnet id) against the devnet, funded from the
 * faucet, as docs/devnet.md tells a registry owner to do it.
 */
describe('blueprint run against the devnet', () => {
    let devnet: Devnet;
    let mnemonic: string[];
    let deployer: WalletContractV5R1;

    beforeAll(async () => {
        ({ devnet } = await startTestDevnet());
        mnemonic = await mnemonicNew();
        const key = await mnemonicToPrivateKey(mnemonic);
        deployer = WalletContractV5R1.create({ publicKey: key.publicKey, walletId: { networkGlobalId: -3 } });
        await requestFaucet(devnet.endpoint, deployer.address, toNano('20'));
    });
    afterAll(() => devnet.stop());

    function blueprintRun(cwd: string, script: string, args: string[], env: Record<string, string> = {}) {
        return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
            const child = spawn(
                process.execPath,
                [BLUEPRINT, 'run', script, ...args, '--custom', devnet.endpoint, '--custom-version', 'v2', '--custom-type', 'testnet', '--mnemonic'],
                {
                    cwd,
                    env: {
                        ...process.env,
                        WALLET_MNEMONIC: mnemonic.join(' '),
                        WALLET_VERSION: 'v5r1',
                        TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
                        TS_NODE_TRANSPILE_ONLY: 'true',
                        ...env,
                    },
                },
            );
            let out = '';
            let err = '';
            child.stdout.on('data', (d) => (out += d));
            child.stderr.on('data', (d) => {
                out += d;
                err += d;
            });
            child.on('exit', (code) => resolve({ code, out, err }));
        });
    }

    it("deploys the root with the repository's deployRoot script and reads it back with showRoot", async () => {
        const owner = deployer.address.toString({ testOnly: true });
        const deploy = await blueprintRun(ROOT, 'deployRoot', [owner, '7', 'true', '1000000', '100000', '60', '30', '1', '1']);
        expect(deploy.out).toContain(`Connected to wallet at address: ${deployer.address.toString({ testOnly: true, bounceable: false })}`);
        if (deploy.code !== 0) throw new Error(deploy.out);
        // No warning about the `bounce` flag, no explorer link (a testnet explorer cannot show a devnet contract).
        expect(deploy.out).not.toMatch(/bounce|Warning|https?:\/\//i);
        const m = /deployed the root at (\S+)/.exec(deploy.out);
        expect(m).not.toBeNull();
        const root = Address.parse(m![1]);

        const config = await new RegistryReader(new ChainClient(devnet.endpoint), root).get();
        expect(config.owner.equals(deployer.address)).toBe(true);
        expect(config.params).toMatchObject({ uniqueId: 7, isTest: true, pricePerToken: 1_000_000n, workerFeePerToken: 100_000n, clientDelayBeforeClose: 30 });

        const show = await blueprintRun(ROOT, 'showRoot', [root.toString()]);
        if (show.code !== 0) throw new Error(show.out);
        expect(show.out).toContain(`owner ${deployer.address.toString()}, version 0`);
    });

    it("manages the registry with the repository's addProxyHash and registerProxy scripts", async () => {
        const owner = deployer.address.toString({ testOnly: true });
        const deploy = await blueprintRun(ROOT, 'deployRoot', [owner, '8', 'true', '1000000', '100000', '60', '30', '1', '1']);
        if (deploy.code !== 0) throw new Error(deploy.out);
        const root = Address.parse(/deployed the root at (\S+)/.exec(deploy.out)![1]);
        const hash = '0x' + 'be'.repeat(32);

        const add = await blueprintRun(ROOT, 'addProxyHash', [root.toString(), hash]);
        if (add.code !== 0) throw new Error(add.out);
        expect(add.out).not.toMatch(/bounce|Warning/i);
        const register = await blueprintRun(ROOT, 'registerProxy', [root.toString(), '127.0.0.1:9100']);
        if (register.code !== 0) throw new Error(register.out);
        expect(register.out).toContain('registered proxy "127.0.0.1:9100"');

        const config = await new RegistryReader(new ChainClient(devnet.endpoint), root).get();
        expect([...config.proxyHashes]).toEqual([BigInt(hash)]);
        expect(config.proxies).toEqual([{ seqno: 1, type: 0, descriptor: '127.0.0.1:9100' }]);
        expect(config.version).toBe(2);
    });

    it('a script fails in one line without a stack: exit 2 for a bad or missing argument, also with no terminal to ask on', async () => {
        const nowhere = '0:' + '77'.repeat(32);
        const owner = deployer.address.toString({ testOnly: true });
        const runs = await Promise.all([
            blueprintRun(ROOT, 'addProxyHash', [nowhere, 'zz']),
            blueprintRun(ROOT, 'showRoot', ['not-an-address']),
            blueprintRun(ROOT, 'deployRoot', [owner, '9', 'maybe']),
            blueprintRun(ROOT, 'deployRoot', [owner, '9', 'true', '1000000', '100000', '60', '30', '1.5.0']),
            blueprintRun(ROOT, 'showRoot', [nowhere]),
            blueprintRun(ROOT, 'showRoot', []),
        ]);
        for (const r of runs) expect(r.out.split('\n').filter((l) => l.trim().startsWith('at '))).toEqual([]);
        expect(runs.map((r) => [r.code, r.err])).toEqual([
            [2, 'error: proxy image hash: "zz" is not a 256-bit hash (64 hex digits)\n'],
            [2, 'error: root address: "not-an-address" is not a TON address (raw 0:<hex> or user-friendly)\n'],
            [2, 'error: is_test: "maybe" is not a boolean (true/false, yes/no, 1/0)\n'],
            [2, 'error: min proxy stake: "1.5.0" is not an amount of TON (e.g. 1.5, at most 9 decimals)\n'],
            [2, `error: no contract is deployed at ${Address.parse(nowhere).toString()}\n`],
            [2, 'error: missing argument: root address (no terminal to ask on: give it on the command line)\n'],
        ]);
    }, 180_000); // six Blueprint processes on a shared machine

    it('every Blueprint script runs inside the one error boundary (scripts/lib/boundary.ts)', () => {
        const dir = path.join(ROOT, 'scripts');
        const scripts = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && /^export (const|async function) run\b/m.test(fs.readFileSync(path.join(dir, f), 'utf8')));
        const unguarded = scripts.filter((f) => !/^export const run = (script|hashScript)\(/m.test(fs.readFileSync(path.join(dir, f), 'utf8')));
        expect([scripts.length, unguarded]).toEqual([36, []]);
        expect(fs.readFileSync(path.join(dir, 'lib', 'hashOps.ts'), 'utf8')).toContain('return script(async (provider');
    });
});
