// npx blueprint run workerPayout <worker> <signed payout envelope, BOC>
// Submits a payout the proxy signed for this worker (from the proxy service), with the excess to the wallet.
import { toNano } from '@ton/core';
import { NetworkProvider } from '@ton/blueprint';
import { ArgReader } from './lib/args';
import { openWorker, sendFromWallet, senderAddress, showWorker } from './lib/payments';
import { readWorkerState } from '../wrappers/worker';
import { publicKeyBuffer } from '../wrappers/addresses';
import { repackEnvelope, validateEnvelope } from '../wrappers/signing';
import { script } from './lib/boundary';

export const run = script(async (provider: NetworkProvider, args: string[]) => {
    const a = new ArgReader(args, provider.ui());
    const worker = await a.address('worker');
    const envelope = await a.cell('signed payout');
    const s = await readWorkerState(await openWorker(provider, worker));
    const publicKey = publicKeyBuffer(s.proxyPublicKey);
    const { payload } = validateEnvelope(envelope, { publicKey, kinds: ['payout', 'lastPayout'], address: worker });
    if (payload.newTokens! <= s.tokens && payload.kind === 'payout') {
        throw new Error(`signed payout: ${payload.newTokens} tokens are already paid (the worker is at ${s.tokens})`);
    }
    await sendFromWallet(provider, worker, toNano('0.5'), repackEnvelope(envelope, senderAddress(provider)));
    await showWorker(provider, worker);
});
