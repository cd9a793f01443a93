// The COCOON client: a library with OpenAI's API shapes (InferenceClient) and the HTTP API over it.
export {
    InferenceClient,
    prepareRequest,
    type ClientDeps,
    type CocoonRequestFields,
    type RawResponse,
    type RequestOptions,
    type RequestOutcome,
    type WithReceipt,
} from './inferenceClient';
export { ClientHttpServer, MAX_BODY_BYTES, type ClientHttpOptions } from './httpServer';
export { ClientService } from './service';
export { clientConfigSchema, resolveClientConfig, CLIENT_SECRETS, type ClientConfig, type ResolvedClientConfig } from './config';
export * from './errors';
export { Stream } from './stream';
export type { AttestationReport, AttestationStep } from './session';
export type { ChainActionResult, PaymentsStatus } from './payments';
