// The service protocol: message types and schemas, the typed connection, transport, pricing, receipts, key binding.
export * from './messages';
export { parseMessage, messageTypes, MessageValidationError } from './schemas';
export { ProtocolConnection, type ConnectionOptions, type CloseInfo } from './connection';
export { ProtocolError, HTTP_STATUS } from './errors';
export { negotiateVersion, OUR_VERSIONS } from './version';
export { listenProtocol, dialProtocol, Reconnector, type Listener, type ListenOptions, type DialOptions, type ReconnectOptions } from './transport';
export { adjust, adjustUsage, reservationTokens, pricesOf, costOf, emptyUsage, COEFFICIENT_ONE, MULTIPLIER_ONE, type Prices } from './pricing';
export { signReceipt, verifyReceipt, receiptSigningText, bodyHash, ReceiptError, type ReceiptExpectation } from './receipt';
export { CLAIM, proxyClaims, workerClaims, checkProxyBinding, checkWorkerBinding, expectedWorkerContract, BindingError } from './binding';
export { newRequestId, randomU64 } from './ids';
export { rootPolicy, clientPeerPolicy, type PeerProvider } from './policy';
