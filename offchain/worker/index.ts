// The worker service (in front of an inference engine) and its engine-side modules.
export { WorkerService, REGISTER_VALUE, type WorkerDeps, type WorkerStatus } from './workerService';
export { workerConfigSchema, WORKER_SECRETS, baseModel, type WorkerConfig } from './config';
export { PaymentState, acceptLedger, LedgerRollbackError, PAYMENT_MIGRATIONS, type ProxyLedgerState, type LedgerVerdict } from './paymentState';
export { PayoutSubmitter, PAYOUT_VALUE, type PayoutResult } from './payouts';
export { ProxySession, HANDSHAKE_TIMEOUT_MS, type SessionPhase, type SessionHost } from './proxySession';
export { runRequest, RequestAbort, type RequestOutcome, type RequestResult, type RunContext } from './requestRunner';
export { validateRequest, RequestValidationError, type EnginePath, type ValidateOptions, type ValidatedRequest } from './validateRequest';
export { UsageMeter, type MeteredUsage } from './meter';
export { EngineClient, EngineError, type EngineErrorKind, type EngineClientOptions, type ForwardOptions, type EngineResponse } from './engineClient';
