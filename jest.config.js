/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: 'node',
    testMatch: ['<rootDir>/tests/**/*.spec.ts'],
    // Type checking is `npm run typecheck`; jest only transpiles, which keeps the suite fast on two cores.
    transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
    reporters: ['default', '<rootDir>/tests/summaryReporter.js'],
    testTimeout: 60000,
};
