import { Address } from '@ton/core';
import { devnetKey } from '../../offchain/chain/cocoon/keys';
import { devnetParams } from '../../offchain/devnet/cocoonDefaults';
import { checkProxyBinding, checkWorkerBinding, expectedWorkerContract, proxyClaims, workerClaims, type ProxyInfo } from '../../offchain/protocol';
import { FakeQuoteProvider, fakePolicy, generateIdentity, PeerVerifier, type RatlsReport } from '../../offchain/ratls';
import { proxyAddress, workerAddress } from '../../wrappers/addresses';

const params = devnetParams();
const root = Address.parse(`0:${'1'.repeat(64)}`);
const owner = Address.parse(`0:${'2'.repeat(64)}`);
const key = devnetKey('binding-proxy');
const verifier = new PeerVerifier({ policy: fakePolicy('test') });

async function report(extra: Record<string, Uint8Array>): Promise<RatlsReport> {
    const identity = await generateIdentity({ provider: new FakeQuoteProvider(), extra });
    const r = await verifier.verify(identity.certDer);
    expect(r.ok).toBe(true);
    return r;
}

function info(over: Partial<ProxyInfo> = {}): ProxyInfo {
    return {
        publicKey: key.publicKey.toString('hex'),
        owner: owner.toRawString(),
        contract: proxyAddress({ owner, proxyPublicKey: key.publicKey, root, params }).toRawString(),
        root: root.toRawString(),
        rootVersion: 3,
        paramsVersion: params.paramsVersion,
        ...over,
    };
}

describe('key binding through RA-TLS claims', () => {
    it('accepts a proxy whose key, owner, root and derived contract all match its certificate', async () => {
        const r = await report(proxyClaims({ paymentKey: key.publicKey, owner, root }));
        expect(() => checkProxyBinding(r, info(), { root, params })).not.toThrow();
    });

    it('refuses a welcome that names another payment key, owner, root or contract', async () => {
        const r = await report(proxyClaims({ paymentKey: key.publicKey, owner, root }));
        const otherKey = devnetKey('binding-other').publicKey.toString('hex');
        expect(() => checkProxyBinding(r, info({ publicKey: otherKey }), { root, params })).toThrow('proxy payment key differs from the one in its attested certificate');
        expect(() => checkProxyBinding(r, info({ owner: `0:${'3'.repeat(64)}` }), { root, params })).toThrow('proxy owner differs');
        expect(() => checkProxyBinding(r, info({ contract: `0:${'4'.repeat(64)}` }), { root, params })).toThrow(
            /^proxy contract 0:4{64} is not the one derived from its key, owner and root \(0:[0-9a-f]{64}\)$/,
        );
        const otherRoot = Address.parse(`0:${'5'.repeat(64)}`);
        expect(() => checkProxyBinding(r, info(), { root: otherRoot, params })).toThrow(`proxy serves root ${root.toRawString()}, not ${otherRoot.toRawString()}`);
    });

    it('refuses a certificate that binds nothing or another role', async () => {
        const bare = await report({});
        expect(() => checkProxyBinding(bare, info(), { root, params })).toThrow('peer certificate claims carry no cocoon.role');
        const worker = await report(workerClaims({ owner, model: 'm@c:h' }));
        expect(() => checkProxyBinding(worker, info(), { root, params })).toThrow('peer certificate role is worker, not proxy');
    });

    it('binds a worker to its owner and model; both sides derive the same worker contract', async () => {
        const r = await report(workerClaims({ owner, model: 'test-model@abc:def' }));
        expect(() => checkWorkerBinding(r, { owner: owner.toRawString(), model: 'test-model@abc:def' })).not.toThrow();
        expect(() => checkWorkerBinding(r, { owner: owner.toRawString(), model: 'test-model@abc:xyz' })).toThrow('worker model differs');
        expect(() => checkWorkerBinding(r, { owner: root.toRawString(), model: 'test-model@abc:def' })).toThrow('worker owner differs');
        const proxy = Address.parse(info().contract);
        expect(expectedWorkerContract(owner, info(), params).equals(workerAddress({ owner, proxyAddress: proxy, proxyPublicKey: key.publicKey, params }))).toBe(true);
    });
});
