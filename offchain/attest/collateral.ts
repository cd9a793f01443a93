import { describeJsonSyntaxError } from '../runtime/jsonSyntax';
import { CollateralParseError } from './errors';
import { fromHex, toHex } from './hex';
import { crlBytes } from './crl';

/**
 * Intel collateral for one platform (FMSPC) and PCK CA, in the shape PCCS/PCS v4 data is usually stored
 * (as in fixtures/tdx/quote-c.collateral.json). TCB info and QE identity are kept as the exact JSON text Intel
 * signed: the signature covers those bytes, not a re-serialization.
 */
export interface Collateral {
    pckCrlIssuerChain: string;
    rootCaCrl: Uint8Array;
    pckCrl: Uint8Array;
    tcbInfoIssuerChain: string;
    tcbInfo: string;
    tcbInfoSignature: Uint8Array;
    qeIdentityIssuerChain: string;
    qeIdentity: string;
    qeIdentitySignature: Uint8Array;
}

/** The JSON form: snake_case keys, CRLs as hex DER (PEM accepted), signatures as hex. */
export interface CollateralJson {
    pck_crl_issuer_chain: string;
    root_ca_crl: string;
    pck_crl: string;
    tcb_info_issuer_chain: string;
    tcb_info: string;
    tcb_info_signature: string;
    qe_identity_issuer_chain: string;
    qe_identity: string;
    qe_identity_signature: string;
}

export function parseCollateral(json: string | unknown): Collateral {
    let obj: unknown = json;
    if (typeof json === 'string') {
        try {
            obj = JSON.parse(json);
        } catch (e) {
            throw new CollateralParseError(`collateral is not JSON: ${describeJsonSyntaxError(json) ?? (e as Error).message}`);
        }
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        throw new CollateralParseError('collateral must be a JSON object');
    }
    const o = obj as Record<string, unknown>;
    const str = (key: keyof CollateralJson): string => {
        const v = o[key];
        if (typeof v !== 'string' || v.length === 0) throw new CollateralParseError(`collateral.${key} must be a non-empty string`);
        return v;
    };
    const sig = (key: keyof CollateralJson): Uint8Array => {
        const v = fromHex(str(key));
        if (!v || v.length !== 64) throw new CollateralParseError(`collateral.${key} must be 64 bytes of hex (r ‖ s)`);
        return v;
    };
    const crl = (key: keyof CollateralJson): Uint8Array => {
        try {
            return crlBytes(str(key), `collateral.${key}`);
        } catch (e) {
            throw new CollateralParseError((e as Error).message);
        }
    };
    return {
        pckCrlIssuerChain: str('pck_crl_issuer_chain'),
        rootCaCrl: crl('root_ca_crl'),
        pckCrl: crl('pck_crl'),
        tcbInfoIssuerChain: str('tcb_info_issuer_chain'),
        tcbInfo: str('tcb_info'),
        tcbInfoSignature: sig('tcb_info_signature'),
        qeIdentityIssuerChain: str('qe_identity_issuer_chain'),
        qeIdentity: str('qe_identity'),
        qeIdentitySignature: sig('qe_identity_signature'),
    };
}

export function collateralToJson(c: Collateral): CollateralJson {
    return {
        pck_crl_issuer_chain: c.pckCrlIssuerChain,
        root_ca_crl: toHex(c.rootCaCrl),
        pck_crl: toHex(c.pckCrl),
        tcb_info_issuer_chain: c.tcbInfoIssuerChain,
        tcb_info: c.tcbInfo,
        tcb_info_signature: toHex(c.tcbInfoSignature),
        qe_identity_issuer_chain: c.qeIdentityIssuerChain,
        qe_identity: c.qeIdentity,
        qe_identity_signature: toHex(c.qeIdentitySignature),
    };
}
