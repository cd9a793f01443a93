export { RegistryReader, RegistryReaderOptions, RootConfig, RootChange, RegisteredProxy, RegistryError } from './registry';
export { readProxyContract, readClientContract, readWorkerContract, readReputationSnapshot } from './contracts';
export { cocoonWalletAdapter } from './wallet';
export { decodeProxyInbound, ProxyInbound } from './decoders';
export { keyFromSeedHex, devnetKey, devnetSeed, KeyFormatError } from './keys';
