// The COCOON proxy service: client and worker sessions, routing, the SQLite ledger, save-states and settlement.
export { ProxyService, type ProxyDeps } from './proxyService';
export { ProxyRunner } from './proxyRunner';
export { proxyConfigSchema, parseProxyConfig, PROXY_SECRETS, type ProxyConfig, type ResolvedProxyConfig } from './config';
export type { SettleReport, SettledMessage } from './settlement';
export { ProxyStartError, ProxyRefusingError, SettlementError } from './errors';
