import { existsSync, readFileSync, writeFileSync } from 'fs';
import path from 'path';

/** The ports a network with a state folder must keep: its chain's, and the proxy's (registered in the root on that chain). */
export interface SavedPorts {
    devnet: number;
    proxyWorkers: number;
    proxyClients: number;
}

const fileOf = (stateDir: string) => path.join(stateDir, 'ports.json');

/** The ports a state folder's network used before, or null the first time (every server then picks a free port). */
export function savedPorts(stateDir: string | undefined): SavedPorts | null {
    if (!stateDir || !existsSync(fileOf(stateDir))) return null;
    return JSON.parse(readFileSync(fileOf(stateDir), 'utf8')) as SavedPorts;
}

export function savePorts(stateDir: string | undefined, ports: SavedPorts): void {
    if (stateDir) writeFileSync(fileOf(stateDir), JSON.stringify(ports, null, 2));
}
