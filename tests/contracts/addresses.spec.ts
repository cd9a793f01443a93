import { Address, toNano } from '@ton/core';
import { internal } from '@ton/sandbox';
import '@ton/test-utils';
import { paymentsSandbox, proxyContract } from './payments.setup';
import { keyInt, OP, proxyKeys, testParams } from './payments.fixtures';
import {
    AddressDerivationError,
    clientAddress,
    clientInitData,
    proxyAddress,
    proxyInitData,
    publicKeyBuffer,
    publicKeyInt,
    workerAddress,
    workerInitData,
} from '../../wrappers/addresses';
import { beginCell } from '@ton/core';

describe('address derivation (TypeScript = Tact init = on-chain proxy check)', () => {
    it('proxy: same data and address as the contract deployed from its parameters', async () => {
        const s = await paymentsSandbox();
        const inputs = { owner: s.proxyOwner.address, proxyPublicKey: proxyKeys.publicKey, root: s.root.address, params: s.params };
        const tact = await proxyContract(s.params, s.proxyOwner.address, s.root.address);
        expect(proxyInitData(inputs).equals(tact.init!.data)).toBe(true);
        expect(proxyAddress(inputs).equals(s.proxy.address)).toBe(true);
    });

    it('worker: same data and address, and the proxy accepts exactly that sender', async () => {
        const s = await paymentsSandbox();
        const inputs = { owner: s.workerOwner.address, proxyAddress: s.proxy.address, proxyPublicKey: proxyKeys.publicKey, params: s.params };
        expect(workerInitData(inputs).equals(s.worker.init!.data)).toBe(true);
        const derived = workerAddress(inputs);
        expect(derived.equals(s.worker.address)).toBe(true);
        const body = (owner: Address) =>
            beginCell()
                .storeUint(OP.workerProxyRequest, 32)
                .storeUint(1, 64)
                .storeAddress(owner)
                .storeUint(0, 2 + 64)
                .storeMaybeRef(beginCell().storeUint(OP.workerProxyPayoutRequest, 32).storeCoins(0).storeCoins(0).storeAddress(owner).endCell())
                .endCell();
        const send = (from: Address, owner: Address) => s.blockchain.sendMessage(internal({ from, to: s.proxy.address, value: toNano('1'), body: body(owner) }));
        expect((await send(derived, s.workerOwner.address)).transactions).toHaveTransaction({ to: s.proxy.address, success: true });
        const otherOwner = workerAddress({ ...inputs, owner: s.stranger.address });
        expect((await send(otherOwner, s.stranger.address)).transactions).toHaveTransaction({ to: s.proxy.address, success: true });
        expect((await send(otherOwner, s.workerOwner.address)).transactions).toHaveTransaction({ to: s.proxy.address, exitCode: 1014 });
    });

    it('client: same data and address, and the proxy accepts exactly that sender', async () => {
        const s = await paymentsSandbox();
        const inputs = { owner: s.clientOwner.address, proxyAddress: s.proxy.address, proxyPublicKey: keyInt(proxyKeys), params: s.params };
        expect(clientInitData(inputs).equals(s.client.init!.data)).toBe(true);
        const derived = clientAddress(inputs);
        expect(derived.equals(s.client.address)).toBe(true);
        const body = (owner: Address) =>
            beginCell()
                .storeUint(OP.clientProxyRequest, 32)
                .storeUint(1, 64)
                .storeAddress(owner)
                .storeRef(beginCell().endCell())
                .storeMaybeRef(beginCell().storeUint(OP.clientProxyRegister, 32).storeUint(5, 64).endCell())
                .endCell();
        const send = (from: Address, owner: Address) => s.blockchain.sendMessage(internal({ from, to: s.proxy.address, value: toNano('1'), body: body(owner) }));
        expect((await send(derived, s.clientOwner.address)).transactions).toHaveTransaction({ to: s.proxy.address, success: true });
        const stranger = clientAddress({ ...inputs, owner: s.stranger.address });
        expect((await send(stranger, s.clientOwner.address)).transactions).toHaveTransaction({ to: s.proxy.address, exitCode: 1014 });
    });

    it('a new params generation changes every address', () => {
        const a = testParams();
        const b = testParams({ paramsVersion: 2 });
        const root = Address.parse('0:' + '11'.repeat(32));
        const owner = Address.parse('0:' + '22'.repeat(32));
        expect(proxyAddress({ owner, proxyPublicKey: proxyKeys.publicKey, root, params: a }).equals(proxyAddress({ owner, proxyPublicKey: proxyKeys.publicKey, root, params: b }))).toBe(false);
        const m = { owner, proxyAddress: root, proxyPublicKey: proxyKeys.publicKey };
        expect(workerAddress({ ...m, params: a }).equals(workerAddress({ ...m, params: b }))).toBe(false);
        expect(clientAddress({ ...m, params: a }).equals(clientAddress({ ...m, params: b }))).toBe(false);
        // Raising the client stake changes only client addresses.
        const c = testParams({ minClientStake: 2n });
        expect(clientAddress({ ...m, params: a }).equals(clientAddress({ ...m, params: c }))).toBe(false);
    });

    it('names the problem with bad inputs', () => {
        const owner = Address.parse('0:' + '22'.repeat(32));
        expect(() => workerAddress({ owner, proxyAddress: owner, proxyPublicKey: proxyKeys.publicKey, params: testParams({ workerScCode: null }) })).toThrow(
            new AddressDerivationError('params carry no worker code'),
        );
        expect(() => publicKeyInt(Buffer.alloc(31))).toThrow(new AddressDerivationError('public key is 31 bytes, expected 32'));
        expect(() => publicKeyInt(1n << 256n)).toThrow(AddressDerivationError);
        expect(publicKeyInt(proxyKeys.publicKey)).toBe(keyInt(proxyKeys));
        expect(publicKeyBuffer(keyInt(proxyKeys)).equals(proxyKeys.publicKey)).toBe(true);
    });
});
