import { toNano } from '@ton/core';
import { mnemonicNew, mnemonicToPrivateKey } from '@ton/crypto';
import { WalletContractV5R1 } from '@ton/ton';
import { spawn } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Address } from '@ton/core';
import { ChainClient } from '../../offchain/chain/client';
import { RegistryReader } from '../../offchain/chain/cocoon';
import { requestFaucet } from '../../offchain/chain/faucet';
import { Devnet } from '../../offchain/devnet';
import { startTestDevnet } from './helpers';

const ROOT = path.join(__dirname, '..', '..');

/**
 * `npx blueprint run <script> --custom <devnet> --custom-version v2 --custom-type testnet --mnemonic` as a child
 * process: Blueprint's own TonClient and mnemonic wallet (V5R1, testnet id) against the devnet.
 */
describe('blueprint run against the devnet', () => {
    let devnet: Devnet;
    let project: string;

    beforeAll(async () => {
        ({ devnet } = await startTestDevnet());
        // a project folder whose scripts/ is the fixtures folder (Blueprint looks for scripts under the cwd)
        project = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-devnet-'));
        fs.symlinkSync(path.join(__dirname, 'fixtures'), path.join(project, 'scripts'));
        fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
    });
    afterAll(async () => {
        await devnet.stop();
        fs.rmSync(project, { recursive: true, force: true });
    });

    it('deploys the root and registers a proxy with a mnemonic wallet funded from the faucet', async () => {
        const mnemonic = await mnemonicNew();
        const key = await mnemonicToPrivateKey(mnemonic);
        const deployer = WalletContractV5R1.create({ publicKey: key.publicKey, walletId: { networkGlobalId: -3 } });
        await requestFaucet(devnet.endpoint, deployer.address, toNano('10'));

        const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
            const child = spawn(
                process.execPath,
                [path.join(ROOT, 'node_modules/@ton/blueprint/dist/cli/cli.js'), 'run', 'deployRootProbe', '--custom', devnet.endpoint, '--custom-version', 'v2', '--custom-type', 'testnet', '--mnemonic'],
                {
                    cwd: project,
                    env: {
                        ...process.env,
                        WALLET_MNEMONIC: mnemonic.join(' '),
                        WALLET_VERSION: 'v5r1',
                        PROBE_PROXY_HASH: '0x' + 'be'.repeat(32),
                        TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'),
                        TS_NODE_TRANSPILE_ONLY: 'true',
                    },
                },
            );
            let out = '';
            child.stdout.on('data', (d) => (out += d));
            child.stderr.on('data', (d) => (out += d));
            child.on('exit', (code) => resolve({ code, out }));
        });
        expect(run.out).toContain(`Connected to wallet at address: ${deployer.address.toString({ testOnly: true, bounceable: false })}`);
        if (run.code !== 0) throw new Error(run.out);
        expect(run.code).toBe(0);
        const m = /ROOT (0:[0-9a-f]{64}) PROXIES 1/.exec(run.out);
        expect(m).not.toBeNull();
        expect(run.out).toContain('Contract deployed at address');

        const config = await new RegistryReader(new ChainClient(devnet.endpoint), Address.parse(m![1])).get();
        expect(config.owner.equals(deployer.address)).toBe(true);
        expect([...config.proxyHashes]).toEqual([BigInt('0x' + 'be'.repeat(32))]);
        expect(config.proxies).toEqual([{ seqno: 1, type: 0, descriptor: '127.0.0.1:9100' }]);
    });
});
