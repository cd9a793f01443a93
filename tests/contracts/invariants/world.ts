// The sandbox the invariant test drives: a real root, one proxy contract, and client and worker contracts, all
// deployed at the addresses that wrappers/addresses.ts derives from public inputs.
import { Blockchain, SandboxContract, SendMessageResult, TreasuryContract } from '@ton/sandbox';
import { Address, Contract, StateInit, toNano } from '@ton/core';
import { CocoonParams } from '../../../wrappers/params';
import { CocoonRoot, rootFromInit } from '../../../wrappers/root';
import { CocoonProxy, proxyMessages } from '../../../wrappers/proxy';
import { CocoonClient } from '../../../wrappers/client';
import { CocoonWorker } from '../../../wrappers/worker';
import {
    clientAddress,
    clientStateInit,
    MemberInputs,
    proxyAddress,
    proxyStateInit,
    workerAddress,
    workerStateInit,
} from '../../../wrappers/addresses';
import { proxyKeys, testParams } from '../payments.fixtures';

export type Treasury = SandboxContract<TreasuryContract>;

export interface Member<C> {
    contract: SandboxContract<C>;
    owner: Treasury;
}

export interface World {
    blockchain: Blockchain;
    params: CocoonParams;
    rootOwner: Treasury;
    root: SandboxContract<CocoonRoot>;
    proxyOwner: Treasury;
    proxy: SandboxContract<CocoonProxy>;
    clients: Member<CocoonClient>[];
    workers: Member<CocoonWorker>[];
    /** Pays for and submits signed messages and public ops. */
    submitter: Treasury;
    /** Owners of nothing: their owner ops must fail. */
    strangers: Treasury[];
    /** Where submitters send excesses; they must receive nothing else. */
    sinks: Treasury[];
    /** Every treasury, created up front (a treasury is minted with its balance: creating one mid-run would break
     * the TON accounting). */
    treasuries: Treasury[];
    /** Owner of every proxy/client/worker contract, by raw address. */
    ownerOf: Map<string, Address>;
    /** Deploy one more client / worker contract for a new owner; the result of the deployment message. */
    addClient(): Promise<SendMessageResult>;
    addWorker(): Promise<SendMessageResult>;
}

export class DeploymentError extends Error {
    constructor(what: string, address: Address) {
        super(`${what} at ${address.toRawString()} is not active after deployment`);
        this.name = 'DeploymentError';
    }
}

async function expectActive(blockchain: Blockchain, what: string, address: Address) {
    const state = (await blockchain.getContract(address)).accountState;
    if (state?.type !== 'active') throw new DeploymentError(what, address);
}

/** Deploys the world; every contract gets the value the C++ services attach (proxy 0.3, client 0.8, worker 0.3). */
export async function deployWorld(startTime: number, clients: number, workers: number, limits: { clients: number; workers: number }): Promise<World> {
    const blockchain = await Blockchain.create();
    blockchain.now = startTime;
    const params = testParams();
    const t = (name: string) => blockchain.treasury(name);
    const [rootOwner, proxyOwner, submitter] = await Promise.all([t('rootOwner'), t('proxyOwner'), t('submitter')]);
    const strangers = await Promise.all([t('stranger0'), t('stranger1')]);
    const sinks = await Promise.all([t('sink0'), t('sink1')]);
    const clientOwners = await Promise.all(Array.from({ length: limits.clients }, (_, i) => t(`clientOwner${i}`)));
    const workerOwners = await Promise.all(Array.from({ length: limits.workers }, (_, i) => t(`workerOwner${i}`)));

    const root = blockchain.openContract(await rootFromInit(rootOwner.address, params));
    await rootOwner.send({ to: root.address, value: toNano('1'), init: root.init, bounce: false });
    await expectActive(blockchain, 'root', root.address);

    const proxyInputs = { owner: proxyOwner.address, proxyPublicKey: proxyKeys.publicKey, root: root.address, params };
    const proxy = blockchain.openContract(CocoonProxy.fromAddress(proxyAddress(proxyInputs)));
    await submitter.send({ to: proxy.address, value: toNano('0.3'), init: proxyStateInit(proxyInputs), bounce: false });
    await expectActive(blockchain, 'proxy', proxy.address);

    const ownerOf = new Map<string, Address>([[proxy.address.toRawString(), proxyOwner.address]]);
    /** Deploys the next member contract (for the next spare owner) at its derived address. */
    async function addMember<C extends Contract>(
        owners: Treasury[],
        members: Member<C>[],
        value: bigint,
        stateInit: (i: MemberInputs) => StateInit,
        address: (i: MemberInputs) => Address,
        open: (a: Address) => C,
    ): Promise<SendMessageResult> {
        const owner = owners[members.length];
        if (!owner) throw new RangeError(`at most ${owners.length} contracts of this kind`);
        const inputs = { owner: owner.address, proxyAddress: proxy.address, proxyPublicKey: proxyKeys.publicKey, params };
        const contract = blockchain.openContract(open(address(inputs)));
        const r = await submitter.send({ to: contract.address, value, init: stateInit(inputs), bounce: false });
        await expectActive(blockchain, 'member contract', contract.address);
        ownerOf.set(contract.address.toRawString(), owner.address);
        members.push({ contract, owner });
        return r;
    }
    const world: World = {
        blockchain,
        params,
        rootOwner,
        root,
        proxyOwner,
        proxy,
        clients: [],
        workers: [],
        submitter,
        strangers,
        sinks,
        treasuries: [rootOwner, proxyOwner, submitter, ...strangers, ...sinks, ...clientOwners, ...workerOwners],
        ownerOf,
        addClient: () =>
            addMember(clientOwners, world.clients, toNano('0.8'), clientStateInit, clientAddress, (a) => CocoonClient.fromAddress(a)),
        addWorker: () =>
            addMember(workerOwners, world.workers, toNano('0.3'), workerStateInit, workerAddress, (a) => CocoonWorker.fromAddress(a)),
    };
    for (let i = 0; i < clients; i++) await world.addClient();
    for (let i = 0; i < workers; i++) await world.addWorker();
    // A staked proxy, so that forced refunds pay something.
    await submitter.send({ to: proxy.address, value: toNano('2.2'), body: proxyMessages.increaseStake(1n, toNano('2'), submitter.address) });
    return world;
}
