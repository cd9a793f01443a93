export { loadConfig, validateConfig, resolvePath, ConfigError } from './config';
export type { ConfigSchema, LoadConfigOptions, SecretOptions } from './config';
export { createLogger, silentLogger, memoryLogger, isSecretKey, REDACTED } from './logger';
export type { Logger, LoggerOptions, LogLevel, LogLine, MemoryLogger } from './logger';
export { createMetrics, type Metrics, type MetricsOptions } from './metrics';
export { handleOps, startOpsServer, type Ops, type HealthReport, type OpsServer, type OpsServerOptions } from './opsServer';
export { readJsonBody, sendJson, sendError, stringifyJson, bearerToken, tokensEqual, listen, HttpError, ListenError } from './http';
export { openDatabase, inTransaction, withoutFlush, DatabaseError, type Db } from './database';
export { onShutdown, shutdownHandler, FORCED_EXIT_CODE, type ShutdownOptions } from './lifecycle';
export { endpointsSchema, walletSchema, hostPortSchema } from './configSchemas';
export {
    Html,
    html,
    escapeHtml,
    code,
    ton,
    time,
    contractStateName,
    publicUrl,
    table,
    facts,
    section,
    badge,
    statusPage,
    servicePage,
    readBalance,
    accountBalance,
    reuseFor,
    BALANCES_REUSE_MS,
    balancesTable,
    outboxSection,
    settlementsSection,
    DASH,
    STATUS_PAGE_CSP,
    STATUS_PAGE_HEADERS,
    type Value,
    type BalanceRow,
    type AccountReader,
    type OutboxView,
    type OutboxItemView,
} from './statusPage';
