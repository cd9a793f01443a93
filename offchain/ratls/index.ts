// RA-TLS: attested certificates, peer policies and the mutual-TLS transport services run on.
export { OID_TDX_QUOTE, OID_USER_CLAIMS, ALLOWED_CRITICAL_EXTENSIONS } from './oids';
export { RatlsError, CertificateFormatError, ClaimsFormatError, QuoteProviderError, PolicyError, RatlsVerificationError } from './errors';
export { serializeClaims, parseClaims, claimsReportData, type UserClaims } from './claims';
export { FAKE_IMAGE_HASH, FAKE_QUOTE_BYTES } from './fakeQuote';
export * from './providers';
export { generateIdentity, writeIdentityFiles, readIdentityFiles, CERT_VALIDITY_SECONDS, type RatlsIdentity, type GenerateIdentityOptions } from './identity';
export { parseCertificate, pemToDer, type ParsedCertificate } from './parseCertificate';
export { productionPolicy, fakePolicy, validatePolicy, tcbRank, type RatlsPolicy, type ImageHashSource } from './policy';
export { PeerVerifier, CHECK_ORDER, type PeerVerifierOptions, type VerifyContext } from './peerVerifier';
export { attestQuoteVerifier, type AttestQuoteVerifierOptions } from './tdxQuoteVerifier';
export type { TdxQuoteVerifier, CertificateFacts } from './examineCertificate';
export { VerificationCache } from './verificationCache';
export type { RatlsReport, CheckResult, QuoteEvidence, ProviderName } from './report';
export { IdentityRotator, type IdentityRotatorOptions } from './identityRotator';
export { RatlsServer, type RatlsServerOptions, type VerifiedConnection } from './server';
export { connectRatls, type ConnectRatlsOptions } from './client';
export { RatlsWebSocketServer, openWebSocket } from './websocket';
export { RATLS_CIPHERS } from './tlsOptions';
