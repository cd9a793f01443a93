import { CompilerConfig } from '@ton/blueprint';

export const compile: CompilerConfig = {
    lang: 'tact',
    target: 'contracts/cocoon_root.tact',
    options: {
        safety: { nullChecks: false },
    },
};
