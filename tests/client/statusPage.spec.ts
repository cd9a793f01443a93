import { clientPage, type ClientPageStatus } from '../../offchain/client/statusPage';
import type { ProxyFigures } from '../../offchain/client/proxyFigures';

const status: ClientPageStatus = {
    connected: false,
    proxy: null,
    wallet: 'EQwallet',
    root: 'EQroot',
    sessions: 0,
    inFlight: 0,
    payments: {
        clientContract: null,
        proxyContract: null,
        pricePerToken: null,
        ledger: {
            tokensMax: '5',
            committedDb: '5',
            committedChain: '0',
            chargedOnChain: '0',
            reserved: '0',
            available: '10',
            signedCharge: 'te6cc-signed-charge-boc',
        },
        contract: null,
        bestCharge: null,
        rejectedCharges: 0,
        outboxPending: 0,
    },
    receipts: [],
    outboxSummary: { counts: { queued: 0, sent: 0, confirmed: 0, failed: 0 }, pending: 0, recent: [], settlements: [] },
};

describe('the client status page', () => {
    it('shows the proxies it has figures for, escaped, and no section without them', () => {
        const proxies: ProxyFigures[] = [
            { endpoint: '10.0.0.1:8443<b>', connects: 3, connectFailures: 1, requests: 7, failures: { timeout: 2 }, timeToHeadP50Ms: 35, score: 8100 },
            { endpoint: '10.0.0.2:8443', connects: 0, connectFailures: 2, requests: 0, failures: {}, timeToHeadP50Ms: null, score: 0 },
        ];
        const page = clientPage({ ...status, proxies }, []);
        expect(page).toContain('<tr><td>10.0.0.1:8443&lt;b&gt;</td><td>3</td><td>1</td><td>7</td><td>timeout 2</td><td>35</td><td>8100 / 10000</td></tr>');
        expect(page).toContain('<tr><td>10.0.0.2:8443</td><td>0</td><td>2</td><td>0</td><td>0</td><td>—</td><td>0 / 10000</td></tr>');
        expect(clientPage(status, [])).not.toContain('Proxies seen');
    });

    it("shows the proxy's ledger but not the signed charge it carries, nor a field it was not written to show", () => {
        const page = clientPage({ ...status, secret: 'client-secret-value' } as ClientPageStatus, []);
        expect(page).toContain('<dt>tokens</dt><dd>5</dd>');
        expect(page).toContain('<dt>connection</dt><dd><span class="bad">disconnected</span></dd>');
        expect(page).not.toContain('te6cc-signed-charge-boc');
        expect(page).not.toContain('client-secret-value');
    });
});
