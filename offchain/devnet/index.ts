export { Devnet, DevnetOptions } from './devnet';
export { DevnetLedger, FAUCET_ADDRESS } from './ledger';
export { DevnetStateError } from './state';
export { API_BASE, FAUCET_MAX_NANO } from './server';
