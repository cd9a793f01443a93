// Bootstrapping a local COCOON network on the devnet: the root and its registry (used by `cocoon up` and tests).
export { deployLocalRoot, fillRegistry, LocalnetError, type RootSetup, type DeployedRoot, type Funder } from './root';
