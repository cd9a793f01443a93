import type { LocalNetwork } from './network';

/** What `cocoon up` prints once the network runs: where to send requests, the status pages, and every contract, one per line. */
export function summaryLines(net: LocalNetwork): string[] {
    const body = JSON.stringify({ model: net.model.slice(0, net.model.indexOf('@')), messages: [{ role: 'user', content: 'Hello!' }] });
    return [
        `OpenAI base URL: ${net.openaiBaseUrl}`,
        `Try: curl ${net.openaiBaseUrl}/chat/completions -H 'Content-Type: application/json' -d '${body}'`,
        `Status pages: proxy http://127.0.0.1:${net.proxy.ports.ops}/ worker ${net.worker.opsUrl}/ client ${net.client.url}/`,
        `Chain API: ${net.chainUrl}`,
        `Root: ${net.root.toString()}`,
        `Proxy contract: ${net.proxyContract.toString()}`,
        `Client contract: ${net.clientContract.toString()}`,
        `Worker contract: ${net.workerContract.toString()}`,
    ];
}
