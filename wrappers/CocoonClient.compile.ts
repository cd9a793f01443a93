import { CompilerConfig } from '@ton/blueprint';

export const compile: CompilerConfig = {
    lang: 'tact',
    target: 'contracts/cocoon_client.tact',
    options: {
        safety: { nullChecks: false },
    },
};
