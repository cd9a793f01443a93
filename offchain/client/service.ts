import { ClientHttpServer } from './httpServer';
import { InferenceClient, type ClientDeps } from './inferenceClient';

/** What `cocoon client --config F` runs: the library client and, when the config has `http`, its HTTP API. */
export class ClientService {
    private constructor(
        readonly client: InferenceClient,
        readonly http: ClientHttpServer | undefined,
    ) {}

    static async start(config: unknown, deps: ClientDeps = {}): Promise<ClientService> {
        const client = await InferenceClient.start(config, deps);
        const http = client.config.http;
        try {
            const server = http ? await ClientHttpServer.start(client, { ...http, log: client.logger }) : undefined;
            return new ClientService(client, server);
        } catch (e) {
            await client.stop();
            throw e;
        }
    }

    /** Base URL of the HTTP API (undefined when the config has no `http`). */
    get url(): string | undefined {
        return this.http?.url;
    }

    async stop(): Promise<void> {
        await this.http?.close();
        await this.client.stop();
    }
}
