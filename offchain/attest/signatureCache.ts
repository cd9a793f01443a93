import { Certificate, signedBy, verifyRawSignature } from './certificate';
import { Crl } from './crl';
import { bytesEqual } from './hex';

/** The signature checks a chain or a collateral object needs; verifyQuote runs them cached or not. */
export interface Signatures {
    /** A certificate's or CRL's DER signature over its TBS verifies with the signer's key. */
    signedBy(item: Certificate | Crl, signer: Certificate): boolean;
    /** A raw r ‖ s signature over the UTF-8 text (TCB info, QE identity) verifies with the signer's key. */
    textSignedBy(text: string, signature: Uint8Array, signer: Certificate): boolean;
    /** A raw r ‖ s signature over bytes (a QE report) verifies with the signer's key. */
    bytesSignedBy(data: Uint8Array, signature: Uint8Array, signer: Certificate): boolean;
}

/** Every signature verified on every call. */
export const UNCACHED_SIGNATURES: Signatures = {
    signedBy: (item, signer) => signedBy(item, signer.publicKey),
    textSignedBy: (text, signature, signer) => verifyRawSignature(Buffer.from(text, 'utf8'), signature, signer.publicKey),
    bytesSignedBy: (data, signature, signer) => verifyRawSignature(data, signature, signer.publicKey),
};

/**
 * Remembers whether certificate, CRL, TCB info, QE identity and QE report signatures verify, so a platform's PCK
 * chain and QE report and a collateral object are verified once instead of for every quote (14 of the 15 ECDSA
 * verifications of a quote with collateral: every quote of a platform carries the same chain and QE report). Only
 * the signature result is kept, which can never change: names, CA flags, the root pin, the QE report's binding of
 * the attestation key, revocation, validity periods and nextUpdate are evaluated on every call, against that
 * call's time. The quote's own signature, over its body, is not this cache's business and always verified.
 *
 * Keyed by the exact bytes verified. Certificates and CRLs come from parse memos that hand out one object per exact
 * DER, so the pair (signed object, signer object) stands for (signed bytes, signature, signer key); those entries
 * live in WeakMaps and go when the memos drop the objects. Texts and byte strings are keyed by their content (in
 * separate maps: a text is signed as UTF-8), with the signature bytes and the signer compared on a hit; at most
 * `maxEntries` of each are kept, the least recently used going first.
 */
export class SignatureCache implements Signatures {
    private readonly items = new WeakMap<Certificate | Crl, WeakMap<Certificate, boolean>>();
    private readonly texts = new Map<string, SignedData>();
    private readonly bytes = new Map<string, SignedData>();
    /** Lookups answered from the cache, and signatures actually verified. */
    hits = 0;
    misses = 0;

    constructor(private readonly maxEntries = 256) {}

    signedBy(item: Certificate | Crl, signer: Certificate): boolean {
        let bySigner = this.items.get(item);
        const known = bySigner?.get(signer);
        if (known !== undefined) {
            this.hits++;
            return known;
        }
        this.misses++;
        const ok = UNCACHED_SIGNATURES.signedBy(item, signer);
        if (!bySigner) this.items.set(item, (bySigner = new WeakMap()));
        bySigner.set(signer, ok);
        return ok;
    }

    textSignedBy(text: string, signature: Uint8Array, signer: Certificate): boolean {
        return this.data(this.texts, text, signature, signer, () => UNCACHED_SIGNATURES.textSignedBy(text, signature, signer));
    }

    bytesSignedBy(data: Uint8Array, signature: Uint8Array, signer: Certificate): boolean {
        const key = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
        return this.data(this.bytes, key, signature, signer, () => UNCACHED_SIGNATURES.bytesSignedBy(data, signature, signer));
    }

    private data(map: Map<string, SignedData>, key: string, signature: Uint8Array, signer: Certificate, verify: () => boolean): boolean {
        const known = map.get(key);
        if (known && known.signer === signer && bytesEqual(known.signature, signature)) {
            map.delete(key);
            map.set(key, known);
            this.hits++;
            return known.ok;
        }
        this.misses++;
        const ok = verify();
        map.delete(key);
        if (map.size >= this.maxEntries) map.delete(map.keys().next().value as string);
        map.set(key, { signature: Uint8Array.from(signature), signer, ok });
        return ok;
    }
}

interface SignedData {
    signature: Uint8Array;
    signer: Certificate;
    ok: boolean;
}

/** The process's cache, used by verifyQuote unless told otherwise. */
export const SHARED_SIGNATURE_CACHE = new SignatureCache();
