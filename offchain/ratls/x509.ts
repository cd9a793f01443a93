// @peculiar/x509 needs reflect-metadata loaded before it and a WebCrypto provider; every RA-TLS module that
// builds certificates imports x509 from here so the setup happens exactly once.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509 };
