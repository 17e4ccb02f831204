/** @type {import('jest').Config} */
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

module.exports = {
  // CI runs on 2 cores that may be busy: a real bcrypt or a real server is slow there, never wrong.
  testTimeout: 30000,
  // Each spec file starts its own servers; two workers match the machine's two cores.
  maxWorkers: 2,
  projects: [
    { ...shared, displayName: 'express5', testMatch: ['**/*.spec.ts'], globals: { EXPRESS_MAJOR: 5 } },
    {
      // Express 4 is supported too: the HTTP specs run again with `express` mapped to the
      // `express4` alias (npm:express@4), the plugin's own `require('express')` included.
      ...shared,
      displayName: 'express4',
      testMatch: ['**/http-*.spec.ts', '**/workspaces*.spec.ts', '**/express-compat.spec.ts', '**/middleware-misuse.spec.ts'],
      moduleNameMapper: { '^express$': 'express4', '^express/(.*)$': 'express4/$1' },
      globals: { EXPRESS_MAJOR: 4 },
    },
  ],
};
