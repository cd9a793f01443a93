import { Address } from '@ton/core';
import { proxyAddress, workerAddress } from '../../wrappers/addresses';
import type { CocoonParams } from '../../wrappers/params';
import type { RatlsReport } from '../ratls';
import type { ProxyInfo } from './messages';

/**
 * What a service binds into its RA-TLS certificate claims (extra fields, covered by the quote's REPORTDATA), so a
 * peer that verified the attestation knows which payment key and addresses live in the attested VM:
 *
 * | field | proxy | worker |
 * |---|---|---|
 * | `cocoon.role` | `proxy` | `worker` |
 * | `cocoon.payment_key` | 32-byte Ed25519 key of the proxy contract | – |
 * | `cocoon.owner` | proxy owner (raw address text) | worker owner (raw address text) |
 * | `cocoon.root` | root contract (raw address text) | – |
 * | `cocoon.model` | – | full model name |
 *
 * Contract addresses are not bound (they change with each params generation); each side recomputes them from
 * these inputs and the root's params with wrappers/addresses.ts.
 */
export const CLAIM = {
    role: 'cocoon.role',
    paymentKey: 'cocoon.payment_key',
    owner: 'cocoon.owner',
    root: 'cocoon.root',
    model: 'cocoon.model',
} as const;

export class BindingError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'BindingError';
    }
}

const text = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

export function proxyClaims(b: { paymentKey: Buffer; owner: Address; root: Address }): Record<string, Uint8Array> {
    return {
        [CLAIM.role]: text('proxy'),
        [CLAIM.paymentKey]: new Uint8Array(b.paymentKey),
        [CLAIM.owner]: text(b.owner.toRawString()),
        [CLAIM.root]: text(b.root.toRawString()),
    };
}

export function workerClaims(b: { owner: Address; model: string }): Record<string, Uint8Array> {
    return { [CLAIM.role]: text('worker'), [CLAIM.owner]: text(b.owner.toRawString()), [CLAIM.model]: text(b.model) };
}

/** A claim of the verified peer certificate, as text (payment key as hex); undefined when absent. */
function claim(report: RatlsReport, name: string, asHex = false): string | undefined {
    const hex = report.claims?.extra[name];
    if (hex === undefined) return undefined;
    return asHex ? hex : Buffer.from(hex, 'hex').toString('utf8');
}

function need(report: RatlsReport, name: string, asHex = false): string {
    const v = claim(report, name, asHex);
    if (v === undefined) throw new BindingError(`peer certificate claims carry no ${name}`);
    return v;
}

/**
 * A client's or worker's check of the proxy it reached: the welcome's key, owner and root are the ones bound in the
 * attested certificate, the root is the one this side trusts, and the proxy contract is the one those inputs derive
 * under the root's current params. Throws BindingError naming the mismatch.
 */
export function checkProxyBinding(report: RatlsReport, info: ProxyInfo, trusted: { root: Address; params: CocoonParams }): void {
    if (need(report, CLAIM.role) !== 'proxy') throw new BindingError(`peer certificate role is ${claim(report, CLAIM.role)}, not proxy`);
    if (need(report, CLAIM.paymentKey, true) !== info.publicKey) throw new BindingError('proxy payment key differs from the one in its attested certificate');
    if (need(report, CLAIM.owner) !== info.owner) throw new BindingError('proxy owner differs from the one in its attested certificate');
    if (need(report, CLAIM.root) !== info.root) throw new BindingError('proxy root differs from the one in its attested certificate');
    if (info.root !== trusted.root.toRawString()) throw new BindingError(`proxy serves root ${info.root}, not ${trusted.root.toRawString()}`);
    const derived = proxyAddress({
        owner: Address.parse(info.owner),
        proxyPublicKey: Buffer.from(info.publicKey, 'hex'),
        root: trusted.root,
        params: trusted.params,
    });
    if (derived.toRawString() !== info.contract) {
        throw new BindingError(`proxy contract ${info.contract} is not the one derived from its key, owner and root (${derived.toRawString()})`);
    }
}

/** The proxy's check of a worker: role, and the owner and model of its hello are the attested ones. */
export function checkWorkerBinding(report: RatlsReport, hello: { owner: string; model: string }): void {
    if (need(report, CLAIM.role) !== 'worker') throw new BindingError(`peer certificate role is ${claim(report, CLAIM.role)}, not worker`);
    if (need(report, CLAIM.owner) !== hello.owner) throw new BindingError('worker owner differs from the one in its attested certificate');
    if (need(report, CLAIM.model) !== hello.model) throw new BindingError('worker model differs from the one in its attested certificate');
}

/** The worker contract both sides expect for `owner` under a proxy contract and its params. */
export function expectedWorkerContract(owner: Address, proxy: ProxyInfo, params: CocoonParams): Address {
    return workerAddress({ owner, proxyAddress: Address.parse(proxy.contract), proxyPublicKey: Buffer.from(proxy.publicKey, 'hex'), params });
}
