import { toHex } from './hex';
import { PckTcb } from './pckExtension';
import { QeReport, TdReportBody } from './quote';
import { IsvSvnLevel, QeIdentity, TcbStatus, TdxTcbInfo } from './tcbInfo';

export interface TcbVerdict {
    status: TcbStatus;
    advisoryIds: string[];
}

/** Outcome of a matching step: a verdict, or the reason nothing matched. */
export type Match = { ok: true; verdict: TcbVerdict; detail: string } | { ok: false; detail: string };

function maskedEqual(actual: Uint8Array, expectedHex: string, maskHex: string): boolean {
    const expected = Buffer.from(expectedHex, 'hex');
    const mask = Buffer.from(maskHex, 'hex');
    if (actual.length !== expected.length) return false;
    return actual.every((b, i) => (b & mask[i]) === (expected[i] & mask[i]));
}

function firstIsvLevel(levels: IsvSvnLevel[], isvSvn: number): IsvSvnLevel | undefined {
    return levels.find((l) => isvSvn >= l.isvSvn);
}

/** The QE report against the TD QE identity: signer, product, masked MISCSELECT/attributes, then the ISVSVN level. */
export function matchQeIdentity(report: QeReport, id: QeIdentity): Match {
    if (toHex(report.mrSigner).toUpperCase() !== id.mrSigner) return { ok: false, detail: 'QE MRSIGNER does not match the QE identity' };
    if (report.isvProdId !== id.isvProdId) {
        return { ok: false, detail: `QE ISVPRODID ${report.isvProdId} is not ${id.isvProdId}` };
    }
    if (((report.miscSelect & id.miscSelectMask) >>> 0) !== ((id.miscSelect & id.miscSelectMask) >>> 0)) {
        return { ok: false, detail: 'QE MISCSELECT does not match the QE identity' };
    }
    if (!maskedEqual(report.attributes, id.attributes, id.attributesMask)) {
        return { ok: false, detail: 'QE attributes do not match the QE identity' };
    }
    const level = firstIsvLevel(id.tcbLevels, report.isvSvn);
    if (!level) return { ok: false, detail: `QE ISVSVN ${report.isvSvn} is below every QE identity TCB level` };
    return {
        ok: true,
        verdict: { status: level.tcbStatus, advisoryIds: level.advisoryIds },
        detail: `QE ISVSVN ${report.isvSvn}: ${level.tcbStatus}`,
    };
}

const geAll = (have: ArrayLike<number>, need: number[]) => need.every((n, i) => have[i] >= n);

/**
 * Platform TCB level as Intel's QVL picks it for TDX: the first level whose SGX components and PCESVN the PCK
 * certificate meets and whose TDX components the quote's TEE_TCB_SVN meets. A Revoked SGX level ends the search.
 */
export function matchTcbLevel(pck: PckTcb, body: TdReportBody, info: TdxTcbInfo): Match {
    if (pck.fmspc !== info.fmspc) return { ok: false, detail: `TCB info is for FMSPC ${info.fmspc}, the PCK certificate for ${pck.fmspc}` };
    if (pck.pceId !== info.pceId) return { ok: false, detail: `TCB info is for PCE ID ${info.pceId}, the PCK certificate for ${pck.pceId}` };
    let sgxFound = false;
    for (const level of info.tcbLevels) {
        if (!sgxFound && pck.pceSvn >= level.pceSvn && geAll(pck.cpuSvn, level.sgxSvns)) sgxFound = true;
        if (!sgxFound) continue;
        if (level.tcbStatus === 'Revoked') return { ok: true, verdict: { status: 'Revoked', advisoryIds: level.advisoryIds }, detail: 'platform TCB is revoked' };
        if (geAll(body.teeTcbSvn, level.tdxSvns)) {
            return {
                ok: true,
                verdict: { status: level.tcbStatus, advisoryIds: level.advisoryIds },
                detail: `platform TCB level ${level.tcbDate}: ${level.tcbStatus}`,
            };
        }
    }
    return { ok: false, detail: sgxFound ? 'TEE TCB SVN is below every TDX TCB level' : 'PCK TCB is below every SGX TCB level' };
}

/**
 * The TDX module against TCB info: module major version TEE_TCB_SVN[1] names identity TDX_<nn>, whose MRSIGNER and
 * masked attributes must match MRSIGNERSEAM / SEAM attributes and whose levels rate TEE_TCB_SVN[0]. Version 0 is
 * checked against `tdxModule` and carries no status of its own.
 */
export function matchTdxModule(body: TdReportBody, info: TdxTcbInfo): Match | { ok: true; verdict: undefined; detail: string } {
    const version = body.teeTcbSvn[1];
    const signer = toHex(body.mrSignerSeam).toUpperCase();
    if (version === 0) {
        const m = info.tdxModule;
        if (signer !== m.mrSigner || !maskedEqual(body.seamAttributes, m.attributes, m.attributesMask)) {
            return { ok: false, detail: 'TDX module MRSIGNERSEAM / SEAM attributes do not match TCB info' };
        }
        return { ok: true, verdict: undefined, detail: 'TDX module 0' };
    }
    const id = `TDX_${version.toString(16).toUpperCase().padStart(2, '0')}`;
    const identity = info.tdxModuleIdentities.find((m) => m.id === id);
    if (!identity) return { ok: false, detail: `TCB info has no TDX module identity ${id}` };
    if (signer !== identity.mrSigner || !maskedEqual(body.seamAttributes, identity.attributes, identity.attributesMask)) {
        return { ok: false, detail: `TDX module MRSIGNERSEAM / SEAM attributes do not match ${id}` };
    }
    const level = firstIsvLevel(identity.tcbLevels, body.teeTcbSvn[0]);
    if (!level) return { ok: false, detail: `TDX module ${id} SVN ${body.teeTcbSvn[0]} is below every level` };
    return { ok: true, verdict: { status: level.tcbStatus, advisoryIds: level.advisoryIds }, detail: `${id} SVN ${body.teeTcbSvn[0]}: ${level.tcbStatus}` };
}

/**
 * Folds the QE and TDX-module ratings into the platform's, as the QVL does: Revoked wins, an out-of-date QE or
 * module makes the result OutOfDate (OutOfDateConfigurationNeeded when configuration was also needed).
 */
export function combineTcb(platform: TcbVerdict, ...others: (TcbVerdict | undefined)[]): TcbVerdict {
    let status = platform.status;
    const advisories = [...platform.advisoryIds];
    for (const o of others) {
        if (!o) continue;
        for (const a of o.advisoryIds) if (!advisories.includes(a)) advisories.push(a);
        if (o.status === 'Revoked') status = 'Revoked';
        else if (o.status === 'OutOfDate' && status !== 'Revoked') {
            status = status === 'ConfigurationNeeded' || status === 'ConfigurationAndSWHardeningNeeded' || status === 'OutOfDateConfigurationNeeded'
                ? 'OutOfDateConfigurationNeeded'
                : 'OutOfDate';
        }
    }
    return { status, advisoryIds: advisories };
}
