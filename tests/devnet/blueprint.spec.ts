import { Address, toNano } from '@ton/core';
import { mnemonicNew, mnemonicToPrivateKey } from '@ton/crypto';
import { WalletContractV5R1 } from '@ton/ton';
import { spawn } from 'child_process';
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
        return new Promise<{ code: number | null; out: string }>((resolve) => {
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
            child.stdout.on('data', (d) => (out += d));
            child.stderr.on('data', (d) => (out += d));
            child.on('exit', (code) => resolve({ code, out }));
        });
    }

    it("deploys the root with the repository's deployRoot script and reads it back with showRoot", async () => {
        const owner = deployer.address.toString({ testOnly: true });
        const deploy = await blueprintRun(ROOT, 'deployRoot', [owner, '7', 'true', '1000000', '100000', '60', '30', '1', '1']);
        expect(deploy.out).toContain(`Connected to wallet at address: ${deployer.address.toString({ testOnly: true, bounceable: false })}`);
        if (deploy.code !== 0) throw new Error(deploy.out);
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
        const register = await blueprintRun(ROOT, 'registerProxy', [root.toString(), '127.0.0.1:9100']);
        if (register.code !== 0) throw new Error(register.out);
        expect(register.out).toContain('registered proxy "127.0.0.1:9100"');

        const config = await new RegistryReader(new ChainClient(devnet.endpoint), root).get();
        expect([...config.proxyHashes]).toEqual([BigInt(hash)]);
        expect(config.proxies).toEqual([{ seqno: 1, type: 0, descriptor: '127.0.0.1:9100' }]);
        expect(config.version).toBe(2);
    });
});
