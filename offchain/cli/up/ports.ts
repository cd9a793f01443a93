import { existsSync, readFileSync, writeFileSync } from 'fs';
import net from 'net';
import path from 'path';

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

export interface NetworkPorts {
    devnet: number;
    proxyWorkers: number;
    proxyClients: number;
    proxyOps: number;
    workerOps: number;
}

/**
 * The network's ports: fresh ones, or with a state folder the ones it used before, because the proxy's endpoints are
 * registered in the root on the saved chain.
 */
export async function networkPorts(stateDir: string | undefined, devnetPort: number | undefined): Promise<NetworkPorts> {
    const file = stateDir ? path.join(stateDir, 'ports.json') : undefined;
    if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as NetworkPorts;
    const ports = {
        devnet: devnetPort ?? (await freePort()),
        proxyWorkers: await freePort(),
        proxyClients: await freePort(),
        proxyOps: await freePort(),
        workerOps: await freePort(),
    };
    if (file) writeFileSync(file, JSON.stringify(ports, null, 2));
    return ports;
}
