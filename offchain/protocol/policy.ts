import type { RegistryReader } from '../chain/cocoon';
import { fakePolicy, productionPolicy, type RatlsPolicy } from '../ratls';

/** Which quotes a service accepts from its peers: real TDX (production) or the fake stand-in (local network, tests). */
export type PeerProvider = 'tdx' | 'fake';

const hex256 = (h: bigint) => h.toString(16).padStart(64, '0');

/**
 * The policy for proxies (as clients and workers check them) or workers (as the proxy checks them): image hashes
 * are whatever the root lists for that role now, re-read on every verification, so a hash the root removes stops
 * being accepted at the next handshake.
 */
export function rootPolicy(role: 'proxy' | 'worker', registry: RegistryReader, provider: PeerProvider): RatlsPolicy {
    const hashes = async () => [...(await registry.get())[role === 'proxy' ? 'proxyHashes' : 'workerHashes']].map(hex256);
    const name = `${role} images in root ${registry.rootAddress.toString()}`;
    return provider === 'tdx' ? productionPolicy(name, hashes) : fakePolicy(name, hashes);
}

/**
 * Clients are app backends, not TEEs: the proxy accepts any well-formed self-signed certificate from them and
 * authenticates them by their client contract (secret or on-chain registration), not by attestation.
 */
export function clientPeerPolicy(): RatlsPolicy {
    return { name: 'clients (authenticated by their contract)', production: false, providers: ['tdx', 'fake', 'none'] };
}
