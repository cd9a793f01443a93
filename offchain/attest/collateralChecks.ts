import { Certificate } from './certificate';
import { chainFailure, parseChain } from './chain';
import { Collateral } from './collateral';
import { Crl, parseCrl } from './crl';
import { bytesEqual } from './hex';
import { readPckTcb } from './pckExtension';
import { TdxQuote } from './quote';
import { CHECKS } from './report';
import type { Signatures } from './signatureCache';
import { combineTcb, matchQeIdentity, matchTcbLevel, matchTdxModule, TcbVerdict } from './tcbEvaluation';
import { parseQeIdentity, parseTdxTcbInfo, TdxTcbInfo } from './tcbInfo';
import type { CheckList } from './verify';

function windowFailure(what: string, from: Date, to: Date, at: Date): string | undefined {
    if (at < from || at > to) {
        return `${what} is not valid at ${at.toISOString()} (valid ${from.toISOString()} to ${to.toISOString()})`;
    }
    return undefined;
}

/**
 * An issuer chain from collateral: exactly [signer, root], the root pinned, and the signer a CA (PCK CRL) or not
 * (TCB signing). Requiring the signer to be issued by the root itself keeps out keys further down the tree: a PCK
 * leaf key extracted from one platform also chains to the Intel root, and must not be able to sign TCB info.
 */
function pinnedChain(pem: string, what: string, at: Date, pin: string, signerIsCa: boolean, sigs: Signatures): readonly Certificate[] {
    const certs = parseChain(pem, what);
    if (certs.length !== 2) throw new Error(`${what}: expected the signer and the root, got ${certs.length} certificate(s)`);
    if (certs[0].isCa !== signerIsCa) throw new Error(`${what}: the signer must ${signerIsCa ? '' : 'not '}be a CA`);
    const failure = chainFailure(certs, at, what, sigs);
    if (failure) throw new Error(failure);
    const hash = certs[certs.length - 1].keyHash;
    if (hash !== pin) throw new Error(`${what} root key SHA-384 ${hash} is not the pinned root ${pin}`);
    return certs;
}

function crlFailure(crl: Crl, issuer: Certificate, what: string, at: Date, sigs: Signatures): string | undefined {
    if (!bytesEqual(crl.issuer, issuer.subject)) return `${what} issuer ${crl.issuerText} is not ${issuer.subjectText}`;
    if (!sigs.signedBy(crl, issuer)) return `${what} signature does not verify`;
    return windowFailure(what, crl.thisUpdate, crl.nextUpdate, at);
}

function notRevoked(certs: readonly Certificate[], crl: Crl | undefined, what: string): void {
    for (const c of certs) {
        if (crl?.revoked.has(c.serial)) throw new Error(`${what} certificate ${c.subjectText} (serial ${c.serial}) is revoked`);
    }
}

/** TCB info / QE identity text: its issuer chain is pinned and unrevoked, its raw signature covers the exact text. */
function signedJsonFailure(
    chainPem: string,
    text: string,
    signature: Uint8Array,
    what: string,
    at: Date,
    pin: string,
    rootCrl: Crl | undefined,
    sigs: Signatures,
): string | undefined {
    const chain = pinnedChain(chainPem, `${what} issuer chain`, at, pin, false, sigs);
    notRevoked(chain.slice(0, -1), rootCrl, `${what} signing`);
    return sigs.textSignedBy(text, signature, chain[0]) ? undefined : `${what} signature does not verify`;
}

/**
 * Appends the collateral checks to `list` and returns the combined TCB verdict when every piece needed for it
 * verified. The collateral's issuer chains must end in the same pinned root as the quote's PCK chain.
 */
export function checkCollateral(
    list: CheckList,
    quote: TdxQuote,
    pckChain: readonly Certificate[] | undefined,
    c: Collateral,
    at: Date,
    pin: string,
    sigs: Signatures,
): TcbVerdict | undefined {
    let rootCrl: Crl | undefined;
    let pckCrl: Crl | undefined;
    const crlsOk = list.add(CHECKS.crls, () => {
        if (!pckChain) return 'not checked: PCK chain did not decode';
        const root = pckChain[pckChain.length - 1];
        const rc = parseCrl(c.rootCaCrl, 'root CA CRL');
        const rootFailure = crlFailure(rc, root, 'root CA CRL', at, sigs);
        if (rootFailure) return rootFailure;
        const issuers = pinnedChain(c.pckCrlIssuerChain, 'PCK CRL issuer chain', at, pin, true, sigs);
        const pc = parseCrl(c.pckCrl, 'PCK CRL');
        const pckFailure = crlFailure(pc, issuers[0], 'PCK CRL', at, sigs);
        if (pckFailure) return pckFailure;
        if (!bytesEqual(pc.issuer, pckChain[0].issuer)) return `PCK CRL is from ${pc.issuerText}, the PCK certificate from ${pckChain[0].issuerText}`;
        notRevoked(issuers.slice(0, -1), rc, 'PCK CRL issuer');
        rootCrl = rc;
        pckCrl = pc;
        return undefined;
    });
    if (crlsOk && pckChain) {
        list.add(CHECKS.pckRevocation, () => {
            notRevoked([pckChain[0]], pckCrl, 'PCK');
            notRevoked(pckChain.slice(1, -1), rootCrl, 'PCK chain intermediate');
            return undefined;
        });
    } else {
        list.skip(CHECKS.pckRevocation, 'CRLs did not verify');
    }

    let tcbInfo: TdxTcbInfo | undefined;
    list.add(CHECKS.tcbInfo, () => {
        const bad = signedJsonFailure(c.tcbInfoIssuerChain, c.tcbInfo, c.tcbInfoSignature, 'TCB info', at, pin, rootCrl, sigs);
        if (bad) return bad;
        const info = parseTdxTcbInfo(c.tcbInfo);
        const failure = windowFailure('TCB info', info.issueDate, info.nextUpdate, at);
        if (!failure) tcbInfo = info;
        return failure;
    });

    let qe: TcbVerdict | undefined;
    list.add(CHECKS.qeIdentity, () => {
        const bad = signedJsonFailure(c.qeIdentityIssuerChain, c.qeIdentity, c.qeIdentitySignature, 'QE identity', at, pin, rootCrl, sigs);
        if (bad) return bad;
        const identity = parseQeIdentity(c.qeIdentity);
        const failure = windowFailure('QE identity', identity.issueDate, identity.nextUpdate, at);
        if (failure) return failure;
        const m = matchQeIdentity(quote.qeReport, identity);
        if (!m.ok) return m.detail;
        qe = m.verdict;
        return { detail: m.detail };
    });

    if (!tcbInfo || !qe || !pckChain) {
        list.skip(CHECKS.tcbLevel, 'TCB info, QE identity or PCK chain did not verify');
        return undefined;
    }
    const info = tcbInfo;
    const qeVerdict = qe;
    let verdict: TcbVerdict | undefined;
    list.add(CHECKS.tcbLevel, () => {
        const platform = matchTcbLevel(readPckTcb(pckChain[0]), quote.body, info);
        if (!platform.ok) return platform.detail;
        const module = matchTdxModule(quote.body, info);
        if (!module.ok) return module.detail;
        verdict = combineTcb(platform.verdict, module.verdict, qeVerdict);
        const detail = `${verdict.status} (${platform.detail}; ${module.detail})`;
        return verdict.status === 'Revoked' ? detail : { detail };
    });
    return verdict;
}
