import { CollateralParseError } from './errors';
import { BytesMemo } from './memo';

export type TcbStatus =
    | 'UpToDate'
    | 'SWHardeningNeeded'
    | 'ConfigurationNeeded'
    | 'ConfigurationAndSWHardeningNeeded'
    | 'OutOfDate'
    | 'OutOfDateConfigurationNeeded'
    | 'Revoked';

const STATUSES: readonly string[] = [
    'UpToDate',
    'SWHardeningNeeded',
    'ConfigurationNeeded',
    'ConfigurationAndSWHardeningNeeded',
    'OutOfDate',
    'OutOfDateConfigurationNeeded',
    'Revoked',
];

export interface TdxTcbLevel {
    sgxSvns: number[];
    pceSvn: number;
    tdxSvns: number[];
    tcbDate: string;
    tcbStatus: TcbStatus;
    advisoryIds: string[];
}

export interface IsvSvnLevel {
    isvSvn: number;
    tcbStatus: TcbStatus;
    advisoryIds: string[];
}

export interface TdxModuleIdentity {
    id: string;
    mrSigner: string;
    attributes: string;
    attributesMask: string;
    tcbLevels: IsvSvnLevel[];
}

/** TDX TCB info v3 (Intel PCS `GET /tdx/certification/v4/tcb`), hex fields uppercase as Intel writes them. */
export interface TdxTcbInfo {
    issueDate: Date;
    nextUpdate: Date;
    fmspc: string;
    pceId: string;
    tdxModule: { mrSigner: string; attributes: string; attributesMask: string };
    tdxModuleIdentities: TdxModuleIdentity[];
    tcbLevels: TdxTcbLevel[];
}

/** TD Quoting Enclave identity v2 (`GET /tdx/certification/v4/qe/identity`). */
export interface QeIdentity {
    issueDate: Date;
    nextUpdate: Date;
    miscSelect: number;
    miscSelectMask: number;
    attributes: string;
    attributesMask: string;
    mrSigner: string;
    isvProdId: number;
    tcbLevels: IsvSvnLevel[];
}

type Obj = Record<string, unknown>;

class Fields {
    constructor(
        readonly o: Obj,
        readonly path: string,
    ) {}

    fail(key: string, what: string): never {
        throw new CollateralParseError(`${this.path}.${key} must be ${what}`);
    }
    obj(key: string): Fields {
        const v = this.o[key];
        if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(key, 'an object');
        return new Fields(v as Obj, `${this.path}.${key}`);
    }
    list(key: string): Fields[] {
        const v = this.o[key];
        if (!Array.isArray(v)) this.fail(key, 'an array');
        return v.map((item, i) => {
            if (typeof item !== 'object' || item === null) this.fail(`${key}[${i}]`, 'an object');
            return new Fields(item as Obj, `${this.path}.${key}[${i}]`);
        });
    }
    int(key: string): number {
        const v = this.o[key];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(key, 'a non-negative integer');
        return v;
    }
    str(key: string): string {
        const v = this.o[key];
        if (typeof v !== 'string') this.fail(key, 'a string');
        return v;
    }
    hex(key: string, bytes: number): string {
        const v = this.str(key);
        if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(v)) this.fail(key, `${bytes} bytes of hex`);
        return v.toUpperCase();
    }
    date(key: string): Date {
        const d = new Date(this.str(key));
        if (isNaN(d.getTime())) this.fail(key, 'an ISO date');
        return d;
    }
    status(): TcbStatus {
        const v = this.str('tcbStatus');
        if (!STATUSES.includes(v)) this.fail('tcbStatus', `one of ${STATUSES.join(', ')}`);
        return v as TcbStatus;
    }
    advisories(): string[] {
        const v = this.o.advisoryIDs;
        if (v === undefined) return [];
        if (!Array.isArray(v) || v.some((a) => typeof a !== 'string')) this.fail('advisoryIDs', 'an array of strings');
        return v as string[];
    }
    expect(key: string, value: string | number): void {
        if (this.o[key] !== value) this.fail(key, JSON.stringify(value));
    }
}

function root(text: string, what: string): Fields {
    let v: unknown;
    try {
        v = JSON.parse(text);
    } catch (e) {
        throw new CollateralParseError(`${what} is not JSON: ${(e as Error).message}`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CollateralParseError(`${what} must be a JSON object`);
    return new Fields(v as Obj, what);
}

function svns(list: Fields[], path: string): number[] {
    if (list.length !== 16) throw new CollateralParseError(`${path} must list 16 components`);
    return list.map((c) => c.int('svn'));
}

function isvSvnLevels(f: Fields): IsvSvnLevel[] {
    return f.list('tcbLevels').map((l) => ({
        isvSvn: l.obj('tcb').int('isvsvn'),
        tcbStatus: l.status(),
        advisoryIds: l.advisories(),
    }));
}

// Every quote of a platform is checked against the same collateral texts: parse each once (callers only read).
const tcbInfos = new BytesMemo<TdxTcbInfo>(16);
const qeIdentities = new BytesMemo<QeIdentity>(16);

export function parseTdxTcbInfo(text: string): TdxTcbInfo {
    return tcbInfos.get(text, () => parseTcbInfoText(text));
}

export function parseQeIdentity(text: string): QeIdentity {
    return qeIdentities.get(text, () => parseQeIdentityText(text));
}

function parseTcbInfoText(text: string): TdxTcbInfo {
    const f = root(text, 'tcbInfo');
    f.expect('id', 'TDX');
    f.expect('version', 3);
    const module = f.obj('tdxModule');
    return {
        issueDate: f.date('issueDate'),
        nextUpdate: f.date('nextUpdate'),
        fmspc: f.hex('fmspc', 6),
        pceId: f.hex('pceId', 2),
        tdxModule: {
            mrSigner: module.hex('mrsigner', 48),
            attributes: module.hex('attributes', 8),
            attributesMask: module.hex('attributesMask', 8),
        },
        tdxModuleIdentities: (f.o.tdxModuleIdentities === undefined ? [] : f.list('tdxModuleIdentities')).map((m) => ({
            id: m.str('id'),
            mrSigner: m.hex('mrsigner', 48),
            attributes: m.hex('attributes', 8),
            attributesMask: m.hex('attributesMask', 8),
            tcbLevels: isvSvnLevels(m),
        })),
        tcbLevels: f.list('tcbLevels').map((l) => {
            const tcb = l.obj('tcb');
            return {
                sgxSvns: svns(tcb.list('sgxtcbcomponents'), `${tcb.path}.sgxtcbcomponents`),
                pceSvn: tcb.int('pcesvn'),
                tdxSvns: svns(tcb.list('tdxtcbcomponents'), `${tcb.path}.tdxtcbcomponents`),
                tcbDate: l.str('tcbDate'),
                tcbStatus: l.status(),
                advisoryIds: l.advisories(),
            };
        }),
    };
}

function parseQeIdentityText(text: string): QeIdentity {
    const f = root(text, 'qeIdentity');
    f.expect('id', 'TD_QE');
    f.expect('version', 2);
    return {
        issueDate: f.date('issueDate'),
        nextUpdate: f.date('nextUpdate'),
        miscSelect: parseInt(f.hex('miscselect', 4), 16),
        miscSelectMask: parseInt(f.hex('miscselectMask', 4), 16),
        attributes: f.hex('attributes', 16),
        attributesMask: f.hex('attributesMask', 16),
        mrSigner: f.hex('mrsigner', 32),
        isvProdId: f.int('isvprodid'),
        tcbLevels: isvSvnLevels(f),
    };
}
