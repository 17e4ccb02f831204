/** @type {import('jest').Config} */
const shared = {
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/'],
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
      testMatch: [
        '**/spec/lib/http/*.spec.ts',
        '**/spec/lib/host-app.spec.ts',
        '**/spec/lib/workspaces/*.spec.ts',
        '**/spec/lib/auth/strategy-parity.spec.ts',
        '**/spec/lib/auth/tokens-http.spec.ts',
        '**/spec/lib/protection/failure-limits.spec.ts',
        '**/spec/lib/protection/login-line.spec.ts',
        '**/spec/lib/store/node-redis.spec.ts',
        '**/spec/lib/store/redis-instances.spec.ts',
      ],
      moduleNameMapper: { '^express$': 'express4', '^express/(.*)$': 'express4/$1' },
      globals: { EXPRESS_MAJOR: 4 },
    },
  ],
};
