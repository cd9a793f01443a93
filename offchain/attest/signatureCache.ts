import { Certificate, signedBy, verifyRawSignature } from './certificate';
import { Crl } from './crl';
import { bytesEqual } from './hex';

/** The signature checks a chain or a collateral object needs; verifyQuote runs them cached or not. */
export interface Signatures {
    /** A certificate's or CRL's DER signature over its TBS verifies with the signer's key. */
    signedBy(item: Certificate | Crl, signer: Certificate): boolean;
    /** A raw r ‖ s signature over the UTF-8 text (TCB info, QE identity) verifies with the signer's key. */
    textSignedBy(text: string, signature: Uint8Array, signer: Certificate): boolean;
}

/** Every signature verified on every call. */
export const UNCACHED_SIGNATURES: Signatures = {
    signedBy: (item, signer) => signedBy(item, signer.publicKey),
    textSignedBy: (text, signature, signer) => verifyRawSignature(Buffer.from(text, 'utf8'), signature, signer.publicKey),
};

/**
 * Remembers whether certificate, CRL, TCB info and QE identity signatures verify, so a PCK chain and a collateral
 * object are verified once instead of for every quote (13 of the 15 ECDSA verifications of a quote with
 * collateral). Only the signature result is kept, which can never change: names, CA flags, the root pin,
 * revocation, validity periods and nextUpdate are evaluated on every call, against that call's time. The quote's
 * own two signatures (over its body, and over its QE report) are not this cache's business and always verified.
 *
 * Keyed by the exact bytes verified. Certificates and CRLs come from parse memos that hand out one object per exact
 * DER, so the pair (signed object, signer object) stands for (signed bytes, signature, signer key); those entries
 * live in WeakMaps and go when the memos drop the objects. Texts are keyed by their content, with the signature
 * bytes and the signer compared on a hit; at most `maxTexts` of them are kept, the least recently used going first.
 */
export class SignatureCache implements Signatures {
    private readonly items = new WeakMap<Certificate | Crl, WeakMap<Certificate, boolean>>();
    private readonly texts = new Map<string, { signature: Uint8Array; signer: Certificate; ok: boolean }>();
    /** Lookups answered from the cache, and signatures actually verified. */
    hits = 0;
    misses = 0;

    constructor(private readonly maxTexts = 64) {}

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
        const known = this.texts.get(text);
        if (known && known.signer === signer && bytesEqual(known.signature, signature)) {
            this.texts.delete(text);
            this.texts.set(text, known);
            this.hits++;
            return known.ok;
        }
        this.misses++;
        const ok = UNCACHED_SIGNATURES.textSignedBy(text, signature, signer);
        this.texts.delete(text);
        if (this.texts.size >= this.maxTexts) this.texts.delete(this.texts.keys().next().value as string);
        this.texts.set(text, { signature: Uint8Array.from(signature), signer, ok });
        return ok;
    }
}

/** The process's cache, used by verifyQuote unless told otherwise. */
export const SHARED_SIGNATURE_CACHE = new SignatureCache();
