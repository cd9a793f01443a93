import { CompilerConfig } from '@ton/blueprint';

export const compile: CompilerConfig = {
    lang: 'tact',
    target: 'contracts/cocoon_wallet.tact',
    options: {
        external: true,
        safety: { nullChecks: false },
    },
};
